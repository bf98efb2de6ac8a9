/*
 * Problem packages in the ICPC/Kattis format: reading every file of a
 * package directory or zip (.zip/.kpp, through libzip) into memory, with
 * the checks a hostile upload needs.  Parsing is admin/kpp.c.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "extern.h"

void
kpp_files_clear(struct kpp_files *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].data);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

static int
kpp_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kpp_file *)a)->path,
	    ((const struct kpp_file *)b)->path);
}

static void
kpp_files_sort(struct kpp_files *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), kpp_file_cmp);
}

const struct kpp_file *
kpp_files_get(const struct kpp_files *fs, const char *path)
{
	struct kpp_file key = { (char *)(uintptr_t)path, NULL, 0 };

	if (fs->n == 0)
		return NULL;
	return bsearch(&key, fs->v, fs->n, sizeof(key), kpp_file_cmp);
}

/*
 * 1 when a path inside the package is acceptable: relative, no empty,
 * "." or ".." component, no backslash, no NUL (zip names may hold one).
 */
static int
kpp_path_safe(const char *p, size_t len)
{
	size_t i, start = 0;

	if (len == 0 || p[0] == '/' || memchr(p, '\\', len) != NULL ||
	    memchr(p, '\0', len) != NULL)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '/')
			continue;
		if (i == start && i != len)		/* "a//b" */
			return 0;
		if ((i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* Append a file, taking ownership of data.  0 / -1 with err. */
static int
kpp_files_add(struct kpp_files *fs, const char *path, char *data, size_t len,
    char *err, size_t errsz)
{
	struct kpp_file *nv;
	size_t ncap;

	if (fs->n >= KPP_MAX_FILES) {
		package_errf(err, errsz, "%s: more than %d files in the package", path,
		    KPP_MAX_FILES);
		goto fail;
	}
	if (fs->n == fs->cap) {
		ncap = fs->cap ? fs->cap * 2 : 64;
		if ((nv = realloc(fs->v, ncap * sizeof(*nv))) == NULL)
			goto nomem;
		fs->v = nv;
		fs->cap = ncap;
	}
	if ((fs->v[fs->n].path = strdup(path)) == NULL)
		goto nomem;
	fs->v[fs->n].data = data;
	fs->v[fs->n].len = len;
	fs->n++;
	return 0;
nomem:
	package_errf(err, errsz, "%s: out of memory", path);
fail:
	free(data);
	return -1;
}

/*
 * Grow *buf to hold `more` further bytes, counting them against the
 * package's limit (the zip bomb check: counted as bytes arrive).
 */
static int
kpp_budget(struct kpp_files *fs, const char *path, char **buf, size_t *cap,
    size_t len, size_t more, char *err, size_t errsz)
{
	size_t ncap;
	char *nb;

	if (fs->limit == 0)
		fs->limit = KPP_TOTAL_MAX;
	if (more > fs->limit - fs->total) {
		package_errf(err, errsz, "%s: the package unpacks to more than %zu bytes "
		    "(the configured limit)", path, fs->limit);
		return -1;
	}
	fs->total += more;
	if (len + more + 1 <= *cap)
		return 0;
	ncap = *cap ? *cap : 4096;
	while (ncap < len + more + 1)
		ncap *= 2;
	if ((nb = realloc(*buf, ncap)) == NULL) {
		package_errf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Read one regular file (opened without following links). */
static int
kpp_read_fd(struct kpp_files *fs, int fd, const char *rel, char *err,
    size_t errsz)
{
	char *buf = NULL, chunk[65536];
	size_t len = 0, cap = 0;
	ssize_t r;

	if (kpp_budget(fs, rel, &buf, &cap, 0, 0, err, errsz) == -1)
		goto fail;
	for (;;) {
		if ((r = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			package_errf(err, errsz, "%s: %s", rel, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		if (kpp_budget(fs, rel, &buf, &cap, len, (size_t)r, err,
		    errsz) == -1)
			goto fail;
		memcpy(buf + len, chunk, (size_t)r);
		len += (size_t)r;
	}
	buf[len] = '\0';
	return kpp_files_add(fs, rel, buf, len, err, errsz);
fail:
	free(buf);
	return -1;
}

/* Walk dirfd (at package path rel, "" for the root). */
static int
kpp_walk(struct kpp_files *fs, int dfd, const char *rel, int depth,
    char *err, size_t errsz)
{
	DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	char sub[PATH_MAX];
	int fd = -1, rc = -1;

	if (depth > KPP_MAX_DEPTH) {
		package_errf(err, errsz, "%s: nested too deep", rel);
		goto out;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		package_errf(err, errsz, "%s: %s", *rel ? rel : ".", strerror(errno));
		close(dfd);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name) >= (int)sizeof(sub)) {
			package_errf(err, errsz, "%s/%s: path too long", rel, de->d_name);
			goto out;
		}
		/* Version control and editor files are no part of a package. */
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".timelimit") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			package_errf(err, errsz, "%s: %s", sub, strerror(errno));
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			package_errf(err, errsz, "%s: symbolic links are refused", sub);
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			package_errf(err, errsz, "%s: not a regular file or directory", sub);
			goto out;
		}
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd == -1) {
			package_errf(err, errsz, "%s: %s", sub, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			/* kpp_walk owns fd from here. */
			if (kpp_walk(fs, fd, sub, depth + 1, err, errsz) == -1) {
				fd = -1;
				goto out;
			}
		} else {
			if (kpp_read_fd(fs, fd, sub, err, errsz) == -1)
				goto out;
			close(fd);
		}
		fd = -1;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (d != NULL)
		closedir(d);
	return rc;
}

int
kpp_files_dir(const char *dir, struct kpp_files *fs, char *err, size_t errsz)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		package_errf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (kpp_walk(fs, fd, "", 0, err, errsz) == -1)
		return -1;
	kpp_files_sort(fs);
	return 0;
}

/*
 * When no problem.yaml is at the root and every path starts with the
 * same directory, drop that directory (a zip of the package's folder).
 */
static int
kpp_strip_top(struct kpp_files *fs, char *err, size_t errsz)
{
	const char *slash;
	size_t i, plen;
	char *np;

	if (fs->n == 0 || kpp_files_get(fs, "problem.yaml") != NULL)
		return 0;
	if ((slash = strchr(fs->v[0].path, '/')) == NULL)
		return 0;
	plen = (size_t)(slash - fs->v[0].path) + 1;
	for (i = 1; i < fs->n; i++)
		if (strncmp(fs->v[i].path, fs->v[0].path, plen) != 0)
			return 0;
	for (i = 0; i < fs->n; i++) {
		if ((np = strdup(fs->v[i].path + plen)) == NULL) {
			package_errf(err, errsz, "out of memory");
			return -1;
		}
		free(fs->v[i].path);
		fs->v[i].path = np;
	}
	return 0;
}

/* Every entry of an open archive into fs. */
static int
kpp_zip_read(zip_t *z, struct kpp_files *fs, char *err, size_t errsz)
{
	zip_int64_t n, i, r;
	zip_uint32_t attr;
	zip_uint8_t opsys;
	zip_file_t *zf = NULL;
	const char *name;
	char *buf = NULL, chunk[65536], *cname = NULL;
	size_t len, cap, nlen;
	unsigned mode;
	int rc;

	n = zip_get_num_entries(z, 0);
	for (i = 0; i < n; i++) {
		if ((name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW)) == NULL) {
			package_errf(err, errsz, "zip entry %lld: no name", (long long)i);
			goto fail;
		}
		nlen = strlen(name);
		free(cname);
		if ((cname = strndup(name, 200)) == NULL)
			goto nomem;
		if (zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &opsys,
		    &attr) == 0 && opsys == ZIP_OPSYS_UNIX) {
			mode = (attr >> 16) & 0170000;
			if (mode == 0120000) {
				package_errf(err, errsz, "%s: symbolic links are refused",
				    cname);
				goto fail;
			}
		}
		if (nlen > 0 && name[nlen - 1] == '/') {
			if (nlen > 1 && !kpp_path_safe(name, nlen - 1)) {
				package_errf(err, errsz, "%s: absolute or \"..\" paths "
				    "are refused", cname);
				goto fail;
			}
			continue;
		}
		if (!kpp_path_safe(name, nlen)) {
			package_errf(err, errsz, "%s: absolute or \"..\" paths are refused",
			    cname);
			goto fail;
		}
		if ((zf = zip_fopen_index(z, (zip_uint64_t)i, 0)) == NULL) {
			package_errf(err, errsz, "%s: %s", cname, zip_strerror(z));
			goto fail;
		}
		buf = NULL;
		len = cap = 0;
		if (kpp_budget(fs, cname, &buf, &cap, 0, 0, err, errsz) == -1)
			goto fail;
		while ((r = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
			if (kpp_budget(fs, cname, &buf, &cap, len, (size_t)r, err,
			    errsz) == -1)
				goto fail;
			memcpy(buf + len, chunk, (size_t)r);
			len += (size_t)r;
		}
		if (r < 0) {
			package_errf(err, errsz, "%s: %s", cname, zip_file_strerror(zf));
			goto fail;
		}
		zip_fclose(zf);
		zf = NULL;
		buf[len] = '\0';
		/* kpp_files_add owns buf from here, also when it fails. */
		rc = kpp_files_add(fs, name, buf, len, err, errsz);
		buf = NULL;
		if (rc == -1)
			goto fail;
	}
	free(cname);
	kpp_files_sort(fs);
	for (i = 1; i < (zip_int64_t)fs->n; i++)
		if (strcmp(fs->v[i - 1].path, fs->v[i].path) == 0) {
			package_errf(err, errsz, "%s: twice in the zip", fs->v[i].path);
			return -1;
		}
	if (kpp_strip_top(fs, err, errsz) == -1)
		return -1;
	kpp_files_sort(fs);
	return 0;
nomem:
	package_errf(err, errsz, "out of memory");
fail:
	if (zf != NULL)
		zip_fclose(zf);
	free(buf);
	free(cname);
	return -1;
}

int
kpp_files_zip(const char *path, struct kpp_files *fs, char *err, size_t errsz)
{
	zip_t *z;
	int zerr, rc;
	zip_error_t ze;

	if ((z = zip_open(path, ZIP_RDONLY, &zerr)) == NULL) {
		zip_error_init_with_code(&ze, zerr);
		package_errf(err, errsz, "%s: not a readable zip (%s)", path,
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	rc = kpp_zip_read(z, fs, err, errsz);
	zip_discard(z);
	return rc;
}

int
kpp_files_zip_buf(const void *buf, size_t len, struct kpp_files *fs,
    char *err, size_t errsz)
{
	zip_source_t *src;
	zip_error_t ze;
	zip_t *z;
	int rc;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL ||
	    (z = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		package_errf(err, errsz, "not a readable zip (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (src != NULL)
			zip_source_free(src);
		return -1;
	}
	zip_error_fini(&ze);
	rc = kpp_zip_read(z, fs, err, errsz);
	zip_discard(z);
	return rc;
}
