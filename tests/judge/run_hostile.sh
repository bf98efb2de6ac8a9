#!/bin/bash
# tests/judge/run_hostile.sh — the embedded judge against normal and hostile
# programs, through bin/pitwall-judge-exec.  Every case checks the Judge0
# status, then that nothing of the run survived (no process of a box uid,
# no box directory, no box cgroup); hostile cases also check that the next
# run still works.  Needs root (box uids, cgroups), bwrap, jq.
#
#   bash tests/judge/run_hostile.sh [bindir]      # default: bin
#
# Prints "ok - name" / "not ok - name" per test ("ok - name # SKIP why"
# for a skip) and "N passed, N failed, N skipped";
# exits 0 only if everything passed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BINDIR=${1:-bin}
case $BINDIR in /*) ;; *) BINDIR=$ROOT/$BINDIR ;; esac
EXEC=$BINDIR/pitwall-judge-exec
T=$(mktemp -d /tmp/pitwall-judge-test.XXXXXX)
chmod 711 "$T"	# box uids traverse it to reach their box directory
W=$T/boxes
C=$T/cache
CAP=65536
pass=0
fail=0
skip=0
trap 'rm -rf "$T"' EXIT

# Box ids 100..999 in nine slots of 100, one per concurrent run of this
# suite (a box's uid and cgroup are shared machine-wide: two runs on the
# same ids kill each other's boxes; 0..99 is pitwall-judge-exec's default).
# The slot is held while the suite runs.
for SLOT in 1 2 3 4 5 6 7 8 9; do
	exec 9>"/tmp/pitwall-judge-test-slot-$SLOT.lock"
	flock -n 9 && break
	exec 9>&-
	SLOT=
done
[ -n "$SLOT" ] || { echo "not ok - no free box slot (9 runs at once?)"; exit 1; }
FIRST_BOX=$((SLOT * 100))
FIRST_UID=$((60000 + FIRST_BOX))
CG_RE=".*/pitwall-box-$SLOT[0-9]{2}"

[ -x "$EXEC" ] || { echo "not ok - $EXEC missing (make judge)"; exit 1; }
command -v jq >/dev/null || { echo "not ok - jq missing"; exit 1; }

# submit LANG SRCFILE [EXTRA_JSON] -> $T/out.json, stderr in $T/err.log
submit() {
	jq -n --rawfile src "$2" --argjson lang "$1" \
	    --argjson extra "${3:-{\}}" \
	    '{source_code: $src, language_id: $lang} + $extra' > "$T/in.json"
	"$EXEC" -v -w "$W" -c "$C" -o "$CAP" -B "$FIRST_BOX" < "$T/in.json" > "$T/out.json" \
	    2> "$T/err.log"
}

# Nothing of any run may survive it.
leftovers() {
	local i procs dirs cgs
	for i in 1 2 3 4 5 6 7 8 9 10; do
		procs=$(ps -eo uid=,pid=,comm= | awk -v lo="$FIRST_UID" '$1 >= lo && $1 < lo + 100')
		[ -z "$procs" ] && break
		sleep 0.1
	done
	dirs=$(ls "$W" 2>/dev/null | grep '^box-[0-9]')
	cgs=$(find /sys/fs/cgroup -maxdepth 5 -regextype posix-extended \
	    -regex "$CG_RE" 2>/dev/null)
	if [ -n "$procs$dirs$cgs" ]; then
		echo "# leftovers: procs=[$procs] dirs=[$dirs] cgroups=[$cgs]"
		return 1
	fi
}

# check NAME JQ_FILTER: the result must satisfy the filter, no leftovers.
check() {
	local name=$1 filter=$2
	if jq -e "$filter" "$T/out.json" >/dev/null 2>&1 && leftovers; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		echo "# result: $(head -c 600 "$T/out.json")"
		sed 's/^/# stderr: /' "$T/err.log" | head -5
		fail=$((fail + 1))
	fi
}

# After a hostile program, the judge must still work.
next_run_works() {
	submit 50 "$T/hello.c" '{"expected_output":"hello"}'
	check "$1: next run still works" '.status.id == 3'
}

src() { cat > "$T/$1"; }

# ---------------------------------------------------------------- normal
src hello.c <<'EOF'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
submit 50 "$T/hello.c" '{"expected_output":"hello"}'
check "C hello world: Accepted" '.status.id == 3 and .stdout == "hello\n" and (.time|test("^[0-9]+\\.[0-9]{3}$")) and (.memory > 0)'

src hello.cpp <<'EOF'
#include <iostream>
int main() { std::string s; std::cin >> s; std::cout << "hello " << s << std::endl; }
EOF
submit 54 "$T/hello.cpp" '{"stdin":"world","expected_output":"hello world"}'
check "C++ hello world with stdin: Accepted" '.status.id == 3'

src hello.py <<'EOF'
import sys
print("hello", sys.stdin.read().strip())
EOF
submit 71 "$T/hello.py" '{"stdin":"py","expected_output":"hello py"}'
check "Python hello world: Accepted" '.status.id == 3'

src Main.java <<'EOF'
public class Main {
    public static void main(String[] args) { System.out.println("hello java"); }
}
EOF
submit 62 "$T/Main.java" '{"expected_output":"hello java"}'
check "Java hello world: Accepted" '.status.id == 3'

src hello.js <<'EOF'
console.log("hello js");
EOF
submit 63 "$T/hello.js" '{"expected_output":"hello js"}'
check "JavaScript hello world: Accepted" '.status.id == 3'

printf 'plain\ntext  \n' > "$T/plain.txt"
submit 43 "$T/plain.txt" '{"expected_output":"plain\ntext"}'
check "Plain Text: output = source, Accepted" '.status.id == 3 and .stdout == "plain\ntext  \n"'

src ws.c <<'EOF'
#include <stdio.h>
int main(void) { printf("a  \r\nb\t\n\n\n"); return 0; }
EOF
submit 50 "$T/ws.c" '{"expected_output":"a\nb"}'
check "comparison strips trailing whitespace: Accepted" '.status.id == 3'

submit 50 "$T/hello.c" '{"expected_output":"goodbye"}'
check "wrong output: Wrong Answer" '.status.id == 4 and .status.description == "Wrong Answer"'

src ce.c <<'EOF'
int main(void) { return undefined_thing; }
EOF
submit 50 "$T/ce.c"
check "syntax error: Compilation Error with compile_output" '.status.id == 6 and (.compile_output|test("undefined_thing")) and .stdout == null'

src fpe.c <<'EOF'
#include <stdio.h>
int main(void) { volatile int a = 1000, z = 0; printf("%d\n", a / z); return 0; }
EOF
submit 50 "$T/fpe.c"
check "division by zero: SIGFPE (9)" '.status.id == 9 and .exit_signal == 8'

src segv.c <<'EOF'
int main(void) { volatile int *p = (int *)8; return *p; }
EOF
submit 50 "$T/segv.c"
check "null dereference: SIGSEGV (7)" '.status.id == 7 and .exit_signal == 11'

src abort.c <<'EOF'
#include <stdlib.h>
int main(void) { abort(); }
EOF
submit 50 "$T/abort.c"
check "abort(): SIGABRT (10)" '.status.id == 10'

src exit3.c <<'EOF'
int main(void) { return 3; }
EOF
submit 50 "$T/exit3.c"
check "exit 3: NZEC (11)" '.status.id == 11 and .exit_code == 3 and .message == "Exited with error status 3"'

echo 'void _start(void) { for (;;); }' > "$T/raw.c"
submit 50 "$T/raw.c" '{"compiler_options":"-nostdlib -Wl,--oformat=binary"}'
check "raw binary as program: Exec Format Error (14)" '.status.id == 14'

src args.c <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) { for (int i = 1; i < argc; i++) printf("[%s]", argv[i]); puts(""); return 0; }
EOF
submit 50 "$T/args.c" '{"command_line_arguments":"a \"b c\" d\\ e $HOME"}'
check "command_line_arguments split like a shell, no expansion" '.stdout == "[a][b c][d e][$HOME]\n"'

# Compilation runs in a box too, with Judge0's maximum limits (wall 20 s):
# gcc's -wrapper makes it sleep instead of compiling.
s=$(date +%s)
submit 50 "$T/hello.c" '{"compiler_options":"-wrapper \"/bin/sh,-c,sleep 60\""}'
check "compile past the time limit: 6, Compilation time limit exceeded." \
    ".status.id == 6 and .message == \"Compilation time limit exceeded.\" and $(( $(date +%s) - s )) < 30"

# Compile cache: a source never seen before compiles once, then is reused.
printf '#include <stdio.h>\n/* %s */\nint main(void) { puts("cached"); return 0; }\n' \
    "$(date +%s%N)" > "$T/cache.c"
t0=$(date +%s%N); submit 50 "$T/cache.c"; t1=$(date +%s%N)
first=$(grep -o 'compile [a-z]*' "$T/err.log")
submit 50 "$T/cache.c"; t2=$(date +%s%N)
second=$(grep -o 'compile [a-z]*' "$T/err.log")
echo "# compile cache: first run $(( (t1 - t0) / 1000000 )) ms ($first)," \
    "second run $(( (t2 - t1) / 1000000 )) ms ($second)"
check "compile cache reused on second run" \
    "\"$first/$second\" == \"compile fresh/compile cached\" and .status.id == 3"

# --------------------------------------------------------------- hostile
src forkbomb.c <<'EOF'
#include <unistd.h>
int main(void) { for (;;) fork(); }
EOF
s=$(date +%s)
submit 50 "$T/forkbomb.c" '{"wall_time_limit":3}'
check "fork bomb: stopped (5/11/12) within the wall limit" \
    "(.status.id == 5 or .status.id == 11 or .status.id == 12) and $(( $(date +%s) - s )) < 15"
next_run_works "fork bomb"

src loop.c <<'EOF'
int main(void) { volatile unsigned long i = 0; for (;;) i++; }
EOF
submit 50 "$T/loop.c" '{"cpu_time_limit":1,"cpu_extra_time":0.5}'
check "infinite loop: Time Limit Exceeded (5)" '.status.id == 5 and (.time|tonumber) >= 1'
next_run_works "infinite loop"

src mem.c <<'EOF'
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int main(void) {
	size_t n = (size_t)1 << 30;
	char *p = malloc(n);
	if (p == NULL) { puts("malloc failed"); return 1; }
	for (size_t i = 0; i < n; i += 4096) p[i] = 1;
	puts("touched 1 GB");
	return 0;
}
EOF
submit 50 "$T/mem.c" '{"memory_limit":128000}'
check "1 GB allocation, 128 MB limit: 7/11/12 with memory message" \
    '(.status.id == 7 or .status.id == 11 or .status.id == 12) and (.message|test("[Mm]emory")) and .memory <= 140000'
next_run_works "memory bomb"

src flood.c <<'EOF'
#include <stdio.h>
int main(void) { for (;;) fputs("flood flood flood flood flood flood flood\n", stdout); }
EOF
s=$(date +%s)
submit 50 "$T/flood.c"
check "output flood: capped at $CAP bytes, stopped (8 or 5), no hang" \
    "(.stdout|length) == $CAP and (.status.id == 8 or .status.id == 5) and $(( $(date +%s) - s )) < 15"
next_run_works "output flood"

src sleep.c <<'EOF'
#include <unistd.h>
int main(void) { sleep(30); return 0; }
EOF
s=$(date +%s)
submit 50 "$T/sleep.c" '{"wall_time_limit":1}'
check "sleep past the wall limit: Time Limit Exceeded (5)" \
    ".status.id == 5 and $(( $(date +%s) - s )) < 5"
next_run_works "sleep"

src write.c <<'EOF'
#include <stdio.h>
int main(void) {
	const char *paths[] = { "/usr/x", "/etc/x", "/x", "/bin/x", "/lib/x",
	    "/proc/sys/kernel/hostname", "/.box-init", NULL };
	int bad = 0;
	for (int i = 0; paths[i]; i++) {
		FILE *f = fopen(paths[i], "w");
		if (f) { printf("wrote %s\n", paths[i]); bad = 1; fclose(f); }
	}
	FILE *f = fopen("/box/ok", "w");	/* the work dir is writable */
	if (!f) bad = 1; else fclose(f);
	puts(bad ? "allowed" : "denied");
	return 0;
}
EOF
submit 50 "$T/write.c"
check "writing outside the work directory: denied" '.stdout == "denied\n"'
next_run_works "write outside"

src shadow.c <<'EOF'
#include <stdio.h>
int main(void) {
	FILE *f = fopen("/etc/shadow", "r");
	FILE *g = fopen("/etc/passwd", "r");
	puts(f || g ? "allowed" : "denied");
	return 0;
}
EOF
submit 50 "$T/shadow.c"
check "reading /etc/shadow: denied" '.stdout == "denied\n"'

# Stands for the judge's configuration: a secret in the cache dir and in
# the repository; the program gets both paths on stdin.
echo "JUDGE_SECRET=hunter2" > "$C/secret.conf"
echo "JUDGE_SECRET=hunter2" > "$T/judge.conf"
src secret.c <<'EOF'
#include <stdio.h>
#include <string.h>
int main(void) {
	char path[4096]; int seen = 0;
	while (scanf("%4095s", path) == 1) {
		FILE *f = fopen(path, "r");
		if (f) { printf("read %s\n", path); seen = 1; fclose(f); }
	}
	puts(seen ? "visible" : "not visible");
	return 0;
}
EOF
submit 50 "$T/secret.c" "$(jq -n --arg s "$C/secret.conf $T/judge.conf $ROOT/Makefile /work /root /var/lib/pitwall-judge" '{stdin: $s}')"
check "judge configuration and cache: not visible" '.stdout == "not visible\n"'

src net.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(void) {
	int ok = 0;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0) {
		struct sockaddr_in a; memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET; a.sin_port = htons(22);
		a.sin_addr.s_addr = htonl(0x7f000001);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) ok = 1;
		close(s);
	}
	if (socket(AF_INET6, SOCK_DGRAM, 0) >= 0) ok = 1;
	if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0) ok = 1;
	puts(ok ? "connected" : "denied");
	return 0;
}
EOF
submit 50 "$T/net.c"
check "network connection: denied" '.stdout == "denied\n"'

src escape.c <<'EOF'
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
int main(void) {
	int ok = 0;
	if (unshare(CLONE_NEWUSER) == 0) ok = 1;
	if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0) ok = 1;
	if (ptrace(PTRACE_ATTACH, 1, 0, 0) == 0) ok = 1;
	puts(ok ? "escaped" : "denied");
	return 0;
}
EOF
submit 50 "$T/escape.c"
check "unshare, mount, ptrace: denied by seccomp" '.stdout == "denied\n"'

src bg.c <<'EOF'
#include <stdio.h>
#include <unistd.h>
int main(void) {
	if (fork() == 0) { setsid(); if (fork() == 0) { sleep(60); return 0; } sleep(60); return 0; }
	puts("parent done");
	return 0;
}
EOF
s=$(date +%s)
submit 50 "$T/bg.c"
check "background process outliving main: killed, nothing survives" \
    ".status.id == 3 and .stdout == \"parent done\n\" and $(( $(date +%s) - s )) < 10"
next_run_works "background process"

src fsize.c <<'EOF'
#include <stdio.h>
int main(void) {
	FILE *f = fopen("big", "w");
	for (int i = 0; i < 4096; i++) fwrite("0123456789abcdef0123456789abcdef", 1, 1024 > 32 ? 32 : 32, f), fflush(f);
	for (int i = 0; i < 100000; i++) fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", f);
	fclose(f);
	return 0;
}
EOF
submit 50 "$T/fsize.c" '{"max_file_size":64}'
check "file beyond max_file_size: SIGXFSZ (8)" '.status.id == 8'

# A directory chain deeper than PATH_MAX and mode-000 directories left in
# the box: removing the box must not fail (else every later run in that
# box is an Internal Error).
src deep.c <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
	int i;
	mkdir("locked", 0700);
	close(open("locked/f", O_CREAT | O_WRONLY, 0600));
	mkdir("locked/sub", 0700);
	chmod("locked/sub", 0);
	chmod("locked", 0);
	for (i = 0; i < 2500; i++)	/* "dd/" x 2500: 7500 bytes > PATH_MAX */
		if (mkdir("dd", 0700) == -1 || chdir("dd") == -1)
			break;
	chmod(".", 0);
	printf("%d\n", i);
	return 0;
}
EOF
submit 50 "$T/deep.c"
check "directory chain deeper than PATH_MAX, mode-000 dirs: box removed" \
    '.status.id == 3 and .stdout == "2500\n"'
next_run_works "deep directory chain"

# CPU time is the box's: workers the program forks and never reaps count.
src workers.c <<'EOF'
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static double cpu(void) {
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}
int main(void) {
	int p[2];
	char c;
	if (pipe(p) == -1)
		return 1;
	for (int i = 0; i < 2; i++)
		if (fork() == 0) {
			while (cpu() < 0.7)
				;
			if (write(p[1], "x", 1) != 1)
				return 1;
			for (;;)
				pause();
		}
	if (read(p[0], &c, 1) != 1 || read(p[0], &c, 1) != 1)
		return 1;
	puts("done");	/* exits without reaping its workers */
	return 0;
}
EOF
submit 50 "$T/workers.c" '{"cpu_time_limit":5}'
check "CPU of unreaped workers is counted (time >= 1.2 s)" \
    '.status.id == 3 and (.time|tonumber) >= 1.2'
next_run_works "unreaped workers"

# Without a usable cgroup the judge refuses to start and says what is
# missing, instead of limiting per process.  A non-root judge has none
# here (v1 not writable, no v2 delegated to it).
N=$T/nobody
mkdir -p "$N" && chown 65534:65534 "$N"
jq -n --rawfile src "$T/hello.c" '{source_code: $src, language_id: 50}' > "$N/in.json"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$EXEC" -w "$N/boxes" -c "$N/cache" < "$N/in.json" > "$T/out.json" 2> "$T/err.log"
rc=$?
jq -n --argjson rc "$rc" --rawfile err "$T/err.log" '{rc: $rc, err: $err}' > "$T/out.json"
check "no usable cgroup: refuses to start, names what is missing" \
    '.rc == 2 and (.err|test("cgroup")) and (.err|test("memory"))'

# cgroup v2 in a delegated subtree, where the machine has one with the
# memory and pids controllers (a v1 or hybrid host binds them to v1).
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$V2" ] && grep -qw memory "$V2/cgroup.controllers" 2>/dev/null &&
    grep -qw pids "$V2/cgroup.controllers"; then
	D=$V2/pitwall-judge-test-$$
	echo "+memory +pids" > "$V2/cgroup.subtree_control" 2>/dev/null
	mkdir "$D"
	submit_v2() {
		"$EXEC" -w "$W" -c "$C" -B "$FIRST_BOX" -g "$D" < "$T/in.json" \
		    > "$T/out.json" 2> "$T/err.log"
	}
	jq -n --rawfile src "$T/hello.c" '{source_code: $src, language_id: 50, expected_output: "hello"}' > "$T/in.json"
	submit_v2
	check "cgroup v2 (delegated $D): hello Accepted" '.status.id == 3'
	jq -n --rawfile src "$T/mem.c" '{source_code: $src, language_id: 50, memory_limit: 128000}' > "$T/in.json"
	submit_v2
	check "cgroup v2: 1 GB allocation stopped with memory message" \
	    '(.message|test("[Mm]emory")) and .memory <= 140000'
	jq -n --rawfile src "$T/workers.c" '{source_code: $src, language_id: 50}' > "$T/in.json"
	submit_v2
	check "cgroup v2: CPU of unreaped workers counted" '(.time|tonumber) >= 1.2'
	rmdir "$D"
else
	echo "ok - cgroup v2 in a delegated subtree # SKIP no cgroup2 mount with" \
	    "memory and pids here (${V2:-none}: $(cat "$V2/cgroup.controllers" 2>/dev/null))"
	skip=$((skip + 1))
fi

# /box is a size-limited tmpfs: a program cannot fill the host's disk
# with files (each under max_file_size) nor with inodes.
src fill.c <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(void) {
	static char buf[1 << 20];
	char name[32];
	int mb;
	memset(buf, 'x', sizeof(buf));
	for (mb = 0; mb < 400; mb++) {
		snprintf(name, sizeof(name), "f%d", mb);
		FILE *f = fopen(name, "w");
		if (f == NULL)
			break;
		size_t n = fwrite(buf, 1, sizeof(buf) - 1, f);
		if (fclose(f) != 0 || n != sizeof(buf) - 1)
			break;
	}
	printf("%d %s\n", mb, mb < 400 ? strerror(errno) : "-");
	return 0;
}
EOF
submit 50 "$T/fill.c" '{"memory_limit":512000}'
check "400 MB of files in /box: No space left after at most 256 MB" \
    '(.stdout|test("^[0-9]+ No space left on device")) and ((.stdout|split(" ")[0]|tonumber) <= 256)'
next_run_works "disk fill"

src inodes.c <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
	char name[32];
	int i, fd;
	for (i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "i%d", i);
		if ((fd = open(name, O_CREAT | O_WRONLY, 0600)) == -1)
			break;
		close(fd);
	}
	printf("%d %s\n", i, i < 50000 ? strerror(errno) : "-");
	return 0;
}
EOF
submit 50 "$T/inodes.c"
check "50000 empty files in /box: No space left before" \
    '(.stdout|test("^[0-9]+ No space left on device"))'
next_run_works "inode fill"

# The compile cache has a size bound (-C KB here): the oldest entries go.
CC_DIR=$T/cache-bounded
ok7=0
for i in 1 2 3 4 5 6 7; do
	[ "$i" = 7 ] && sleep 3	# entries used in the last 2 s are kept
	printf 'static volatile char pad[400000] = { %d };\nint main(void) { return pad[0] - %d; }\n' \
	    "$i" "$i" > "$T/big$i.c"
	jq -n --rawfile src "$T/big$i.c" '{source_code: $src, language_id: 50}' > "$T/in.json"
	"$EXEC" -w "$W" -c "$CC_DIR" -C 1000 -B "$FIRST_BOX" < "$T/in.json" \
	    > "$T/big.json" 2> "$T/err.log" &&
	    jq -e '.status.id == 3' "$T/big.json" >/dev/null && ok7=$((ok7 + 1))
done
kb=$(du -sk "$CC_DIR" 2>/dev/null | cut -f1)
echo "# bounded compile cache: ${kb:-?} KB after 7 entries of ~400 KB"
jq -n --argjson ok "$ok7" --argjson kb "${kb:-0}" '{ok: $ok, cache_kb: $kb}' > "$T/out.json"
check "compile cache bounded (1000 KB): oldest evicted" \
    '.ok == 7 and .cache_kb > 0 and .cache_kb <= 1500'

# ------------------------------------------------------------ warm pool
# One judge process runs these one after the other in the same warm box
# (-m: an array in, one result per line out; -v ends with the pool's
# figures).  The first leaves a background process holding an open fd to
# an unlinked 512 KB file, files in /box, /tmp and /dev/shm, a SysV shared
# memory segment and a changed cwd; the second must see none of them.
src leave.c <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
	static char buf[65536];
	int fd, i;
	memset(buf, 'x', sizeof buf);
	close(open("/box/leftover", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/leftover", O_CREAT | O_WRONLY, 0644));
	mkdir("/tmp/dir", 0);
	close(open("/dev/shm/leftover", O_CREAT | O_WRONLY, 0644));
	if (shmget(0x5057, 4096, IPC_CREAT | 0600) == -1) return 2;
	if ((fd = open("/box/held", O_CREAT | O_RDWR, 0600)) == -1) return 3;
	for (i = 0; i < 8; i++) if (write(fd, buf, sizeof buf) < 0) return 4;
	unlink("/box/held");
	if (chdir("/tmp") == -1) return 5;
	if (fork() == 0) {		/* detached, holds fd */
		setsid();
		if (fork() == 0) { sleep(60); _exit(0); }
		_exit(0);
	}
	wait(NULL);
	puts("left");
	return 0;
}
EOF
src look.c <<'EOF'
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/statvfs.h>
#include <unistd.h>
int main(void) {
	const char *files[] = { "/box/leftover", "/tmp/leftover", "/tmp/dir", "/dev/shm/leftover", NULL };
	struct statvfs sv;
	struct dirent *e;
	char cwd[256];
	int leaks = 0, i;
	DIR *d = opendir("/proc");
	while (d && (e = readdir(d)) != NULL) {
		int p = atoi(e->d_name);
		if (p > 1 && p != getpid()) { printf("process %d\n", p); leaks++; }
	}
	if (d) closedir(d);
	for (i = 0; files[i]; i++)
		if (access(files[i], F_OK) == 0) { printf("file %s\n", files[i]); leaks++; }
	if (shmget(0x5057, 0, 0) != -1) { puts("shm segment"); leaks++; }
	if (getcwd(cwd, sizeof cwd) == NULL || strcmp(cwd, "/box") != 0) { printf("cwd %s\n", cwd); leaks++; }
	if (statvfs("/box", &sv) == 0 && (sv.f_blocks - sv.f_bfree) * sv.f_frsize > (256 << 10)) {
		printf("held file: %lu KB used\n", (unsigned long)((sv.f_blocks - sv.f_bfree) * sv.f_frsize / 1024)); leaks++;
	}
	if ((d = opendir("/proc/self/fd")) != NULL)
		while ((e = readdir(d)) != NULL)
			if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d)) { printf("fd %s\n", e->d_name); leaks++; }
	if (!leaks) puts("clean");
	return 0;
}
EOF
jq -n --rawfile a "$T/leave.c" --rawfile b "$T/look.c" \
    '[{source_code: $a, language_id: 50, expected_output: "left"},
      {source_code: $b, language_id: 50, expected_output: "clean"}]' > "$T/in.json"
"$EXEC" -m -v -w "$W" -c "$C" -o "$CAP" -B "$FIRST_BOX" < "$T/in.json" > "$T/pool.json" 2> "$T/err.log"
jq -s --arg pool "$(grep -o 'pool: .*' "$T/err.log")" \
    '{status: {id: (if (.[0].status.id == 3 and .[1].status.id == 3 and
      $pool == "pool: 1 started, 0 retired") then 3 else 0 end)}, runs: ., pool: $pool}' \
    "$T/pool.json" > "$T/out.json"
check "warm box: no process, file, SysV segment, cwd or held fd of a run reaches the next" '.status.id == 3'

# A box whose reset fails is retired, not reused: while the first run
# sleeps, a mount appears on a directory it made in /box (from outside:
# nothing in the box can mount), so /box cannot be emptied after it.  The
# next run gets a new box and sees nothing of the first.
src mkd.c <<'EOF'
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) { mkdir("/box/d", 0755); sleep(2); puts("made"); return 0; }
EOF
jq -n --rawfile a "$T/mkd.c" --rawfile b "$T/look.c" \
    '[{source_code: $a, language_id: 50, expected_output: "made"},
      {source_code: $b, language_id: 50, expected_output: "clean"}]' > "$T/in.json"
"$EXEC" -m -v -w "$W" -c "$C" -o "$CAP" -B "$FIRST_BOX" < "$T/in.json" > "$T/pool.json" 2> "$T/err.log" &
pid=$!
mounted=0
for i in $(seq 100); do
	for d in "$W"/box-*/d; do
		[ -d "$d" ] && mount -t tmpfs pitwall-test "$d" && mounted=1
	done
	[ "$mounted" = 1 ] && break
	sleep 0.05
done
wait "$pid"
jq -s --arg pool "$(grep -o 'pool: .*' "$T/err.log")" --argjson mounted "$mounted" \
    --arg retired "$(grep -c 'retired after [0-9]* run(s): /box could not be emptied' "$T/err.log")" \
    '{status: {id: (if ($mounted == 1 and .[0].status.id == 3 and .[1].status.id == 3 and
      $retired == "1" and $pool == "pool: 2 started, 1 retired") then 3 else 0 end)},
      runs: ., pool: $pool, retired: $retired, mounted: $mounted}' \
    "$T/pool.json" > "$T/out.json"
check "warm box whose reset fails is retired, the next run gets a new one" '.status.id == 3'

# Two runs at once get two boxes (and two uids) and both succeed.
jq -n --rawfile src "$T/hello.c" '{source_code: $src, language_id: 50, expected_output: "hello"}' > "$T/par.json"
"$EXEC" -w "$W" -c "$C" -B "$FIRST_BOX" < "$T/par.json" > "$T/p1.json" 2>/dev/null &
"$EXEC" -w "$W" -c "$C" -B "$FIRST_BOX" < "$T/par.json" > "$T/p2.json" 2>/dev/null &
wait
jq -s '{status: {id: (if (.[0].status.id == 3 and .[1].status.id == 3) then 3 else 0 end)}}' \
    "$T/p1.json" "$T/p2.json" > "$T/out.json"
check "two concurrent runs: both Accepted" '.status.id == 3'

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
