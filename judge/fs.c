/*
 * judge/fs.c — file helpers for box directories and the compile cache.
 *
 * Box directories are written by an untrusted program, so everything here
 * that reads or removes them never follows symbolic links (O_NOFOLLOW,
 * lstat), works relative to directory descriptors (no path may exceed
 * PATH_MAX) and only copies regular files.  They run after the box
 * is dead, so nothing can swap a file under us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

/* Directories deeper than this below the top are moved up to the top
 * (renamed), so removal holds at most RM_DEPTH descriptors and never
 * builds a path: a program may leave a chain deeper than PATH_MAX. */
#define RM_DEPTH	32

/* Renames dfd/name to a free top/.rm-N. */
static int
rm_hoist(int dfd, const char *name, int top, unsigned *seq)
{
	char	 tmp[32];

	for (;;) {
		snprintf(tmp, sizeof(tmp), ".rm-%u", (*seq)++);
		if (renameat2(dfd, name, top, tmp, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
}

/*
 * Empties the directory dfd (depth levels below top).  Subdirectories
 * are made 0700 first (a program may chmod them 0), emptied and removed;
 * those at RM_DEPTH are renamed into top as ".rm-N" and *moved counts
 * them, for the caller's next pass.  Returns 0 or -1 (errno set).
 */
static int
rm_at(int top, int dfd, int depth, unsigned *seq, int *moved)
{
	DIR	*d;
	struct dirent *de;
	int	 fd, sub, rc = 0;

	if ((fd = dup(dfd)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	/* The dup shares dfd's offset: an earlier pass left it at the end. */
	rewinddir(d);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (unlinkat(dfd, n, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR) {
			rc = -1;
			break;
		}
		if (depth >= RM_DEPTH) {
			if ((rc = rm_hoist(dfd, n, top, seq)) == 0)
				(*moved)++;
			continue;
		}
		(void)fchmodat(dfd, n, 0700, 0);
		if ((sub = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1) {
			rc = -1;
			break;
		}
		rc = rm_at(top, sub, depth + 1, seq, moved);
		close(sub);
		if (rc == 0 && unlinkat(dfd, n, AT_REMOVEDIR) == -1 &&
		    errno != ENOENT)
			rc = -1;
	}
	closedir(d);
	return rc;
}

/* Empties the directory at path (see rm_at); 0 or -1 (errno). */
static int
rm_contents(const char *path)
{
	unsigned seq = 0;
	int	 top, moved, rc;

	(void)chmod(path, 0700);
	if ((top = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	do {
		moved = 0;
		rc = rm_at(top, top, 0, &seq, &moved);
	} while (rc == 0 && moved > 0);
	close(top);
	return rc;
}

/*
 * rm -rf path without following links or building long paths (openat /
 * unlinkat, see rm_at): a box's program may leave a chain deeper than
 * PATH_MAX or mode-000 directories.  0 when gone (or absent), -1 (errno).
 */
int
fs_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
	if (rm_contents(path) == -1)
		return -1;
	if (rmdir(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* What is in the directory path goes (as fs_rmtree), path stays (a mount
 * point, say).  0, or -1 (errno; absent is ENOENT). */
int
fs_empty(const char *path)
{
	return rm_contents(path);
}

/* Writes data to path atomically enough for our use (O_EXCL, mode). */
int
fs_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	 fd;
	size_t	 off = 0;
	ssize_t	 n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, (const char *)data + off, len - off)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Reads at most max bytes of a regular file; *data NUL-terminated, caller
 * frees.  Returns 0 or -1. */
int
fs_read_file(const char *path, char **data, size_t *len, size_t max)
{
	int	 fd;
	char	*buf = NULL;
	size_t	 got = 0;
	ssize_t	 n;
	struct stat st;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto fail;
	if ((size_t)st.st_size < max)
		max = (size_t)st.st_size;
	if ((buf = malloc(max + 1)) == NULL)
		goto fail;
	while (got < max && (n = read(fd, buf + got, max - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	*data = buf;
	*len = got;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* Copies one regular file (not a link) keeping the executable bit. */
static int
copy_one(int dfrom, int dto, const char *name, uid_t uid, gid_t gid,
    size_t *budget)
{
	int	 in = -1, out = -1, rc = -1;
	struct stat st;
	char	 buf[65536];
	ssize_t	 n;
	mode_t	 mode;

	if ((in = openat(dfrom, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return errno == ELOOP ? 0 : -1;
	if (fstat(in, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = 0;		/* skip fifos, dirs, devices */
		goto out;
	}
	if ((size_t)st.st_size > *budget) {
		errno = EFBIG;
		goto out;
	}
	*budget -= (size_t)st.st_size;
	mode = (st.st_mode & 0100) ? 0755 : 0644;
	if ((out = openat(dto, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, mode)) == -1)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto out;
	if (n < 0)
		goto out;
	if (uid != (uid_t)-1 && fchown(out, uid, gid) == -1)
		goto out;
	rc = 0;
out:
	if (in != -1)
		close(in);
	if (out != -1 && close(out) == -1)
		rc = -1;
	return rc;
}

/*
 * Copies the regular files directly in `from` into `to` (no recursion,
 * links and special files skipped), chowning them to uid/gid unless uid is
 * (uid_t)-1.  Stops with -1 (errno EFBIG) beyond max_total bytes.
 */
int
fs_copy_files(const char *from, const char *to, uid_t uid, gid_t gid,
    size_t max_total)
{
	DIR	*d = NULL;
	int	 dto = -1, rc = -1;
	struct dirent *de;

	if ((d = opendir(from)) == NULL)
		return -1;
	if ((dto = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_one(dirfd(d), dto, de->d_name, uid, gid,
		    &max_total) == -1)
			goto out;
	}
	rc = 0;
out:
	if (dto != -1)
		close(dto);
	closedir(d);
	return rc;
}

/* mkdir -p with the given mode for created components. */
int
fs_mkdir_p(const char *path, mode_t mode)
{
	char	 buf[1024], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Bytes on disk of the tree at dfd/name (not following links). */
static long long
du_at(int dfd, const char *name)
{
	struct stat st;
	struct dirent *de;
	DIR	*d;
	long long sum;
	int	 fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	sum = (long long)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode) || (fd = openat(dfd, name, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return sum;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return sum;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			sum += du_at(dirfd(d), de->d_name);
	closedir(d);
	return sum;
}

/* Bytes on disk of the tree at path (du -s, not following links). */
long long
fs_du(const char *path)
{
	return du_at(AT_FDCWD, path);
}

struct cache_ent {
	char		 name[72];
	time_t		 used;
	long long	 bytes;
};

static int
cache_ent_cmp(const void *a, const void *b)
{
	const struct cache_ent *x = a, *y = b;

	return x->used < y->used ? -1 : x->used > y->used;
}

/*
 * Keeps the compile cache `dir` under max_bytes: when its entries
 * (directories whose name is namelen characters) hold more, the least
 * recently used go (the mtime of an entry is its last use) until they
 * fit, except those used in the last keep_s seconds (a run may be
 * copying from them).  Entries are renamed before removal, so a reader
 * sees an entry whole or not at all.  Returns how many went, or -1.
 */
int
fs_cache_evict(const char *dir, size_t namelen, long long max_bytes,
    int keep_s)
{
	struct cache_ent *ents = NULL, *n;
	struct dirent *de;
	struct stat st;
	DIR	*d;
	char	 gone[128], path[1200];
	size_t	 count = 0, cap = 0, i;
	long long total = 0;
	time_t	 now = time(NULL);
	int	 evicted = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		/* Left by a judge that died while evicting. */
		if (strstr(de->d_name, ".evict.") != NULL &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) < sizeof(path))
			fs_rmtree(path);
		if (strlen(de->d_name) != namelen ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISDIR(st.st_mode))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			if ((n = realloc(ents, cap * sizeof(*ents))) == NULL) {
				evicted = -1;
				goto out;
			}
			ents = n;
		}
		snprintf(ents[count].name, sizeof(ents[count].name), "%s",
		    de->d_name);
		ents[count].used = st.st_mtime;
		ents[count].bytes = du_at(dirfd(d), de->d_name);
		total += ents[count++].bytes;
	}
	if (total <= max_bytes)
		goto out;
	qsort(ents, count, sizeof(*ents), cache_ent_cmp);
	for (i = 0; i < count && total > max_bytes; i++) {
		if (ents[i].used > now - keep_s)
			break;
		snprintf(gone, sizeof(gone), "%s.evict.%ld", ents[i].name,
		    (long)getpid());
		if (renameat(dirfd(d), ents[i].name, dirfd(d), gone) == -1)
			continue;	/* another judge evicted it */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, gone) <
		    sizeof(path))
			fs_rmtree(path);
		total -= ents[i].bytes;
		evicted++;
	}
out:
	free(ents);
	closedir(d);
	return evicted;
}
