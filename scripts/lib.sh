# Shared by the scripts: paths, ports and the service user of one stack.
# Source it; it sets variables only.  Every stack lives in its own VAR
# directory with its own ports, so two stacks never collide.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${PITWALL_VAR:-$ROOT/var}
BIN=${PITWALL_BIN:-$ROOT/bin}
# A stack keeps the ports it was first brought up with.
if [[ -z ${PITWALL_PORT_BASE:-} && -s $VAR/stack.env ]]; then
	PITWALL_PORT_BASE=$(sed -n "s/^PITWALL_PORT_BASE='\{0,1\}\([0-9]*\).*/\1/p" "$VAR/stack.env")
fi
# So does a host of several (docs/hosts.md) keep its addresses: each of
# these that the environment does not set is taken from stack.env (a
# value of addresses, ports and CIDRs only).
if [[ -s $VAR/stack.env ]]; then
	for _n in PITWALL_PG_LISTEN PITWALL_PG_ALLOW PITWALL_REDIS_LISTEN PITWALL_REDIS_PORT \
		PITWALL_LISTEN_ADDR PITWALL_INTERNAL_ADDR PITWALL_JUDGE0_ALLOW PITWALL_METRICS_ALLOW \
		PITWALL_APP_HOSTS \
		PITWALL_REDIS_SENTINELS PITWALL_REDIS_REPLICAS; do
		[[ -n ${!_n:-} ]] && continue
		_v=$(sed -n "s/^$_n='\([0-9A-Za-z.,:/ ]*\)'\$/\1/p" "$VAR/stack.env" | head -n 1)
		[[ -n $_v ]] && export "$_n=$_v"
	done
	unset _n _v
fi
PORT_BASE=${PITWALL_PORT_BASE:-8440}
# A number before any arithmetic (bash evaluates a[$(…)] in a value).
[[ $PORT_BASE =~ ^[0-9]{1,5}$ ]] || { echo "PITWALL_PORT_BASE is not a port: $PORT_BASE" >&2; exit 64; }
LISTEN_ADDR=${PITWALL_LISTEN_ADDR:-127.0.0.1}
INTERNAL_ADDR=${PITWALL_INTERNAL_ADDR:-127.0.0.1}
HTTPS_PORT=${PITWALL_HTTPS_PORT:-$PORT_BASE}
HTTP_PORT=${PITWALL_HTTP_PORT:-$((PORT_BASE + 1))}
INTERNAL_PORT=${PITWALL_INTERNAL_PORT:-$((PORT_BASE + 2))}
PG_PORT=${PITWALL_PG_PORT:-$((PORT_BASE + 3))}
if [[ $PORT_BASE == 8440 ]]; then
	JUDGE_PORT=${PITWALL_JUDGE_PORT:-2358}
else
	JUDGE_PORT=${PITWALL_JUDGE_PORT:-$((PORT_BASE + 4))}
fi
FCGI_PROCS=${PITWALL_FCGI_PROCS:-2}
# Redis over TCP (docs/redis.md, docs/hosts.md): the master's port (TLS
# with PITWALL_REDIS_TLS=1; a data host's with PITWALL_REDIS_LISTEN), the
# replica's and the sentinels' (Sentinel mode).  Not REDIS_PORT: that is
# the programs' setting, where a judge or app host finds Redis.
REDIS_TCP_PORT=${PITWALL_REDIS_PORT:-$((PORT_BASE + 6))}
REDIS_REPLICA_PORT=${PITWALL_REDIS_REPLICA_PORT:-$((PORT_BASE + 7))}
SENTINEL_PORTS=${PITWALL_SENTINEL_PORTS:-$((PORT_BASE + 8)),$((PORT_BASE + 9)),$((PORT_BASE + 5))}
_listen=${PITWALL_REDIS_LISTEN:-}
REDIS_ADDR=${PITWALL_REDIS_ADDR:-${_listen%%,*}}
REDIS_ADDR=${REDIS_ADDR:-127.0.0.1}
unset _listen
[[ $JUDGE_PORT =~ ^[0-9]{1,5}$ ]] || { echo "PITWALL_JUDGE_PORT is not a port: $JUDGE_PORT" >&2; exit 64; }

# The responder pools, each on a socket of its own so that one kind of
# work cannot take the threads another needs: `fcgi` for the contestant
# and admin routes, `fcgi-run` for /run and /runcustom (their threads wait
# on Judge0 for seconds), `fcgi-cb` for Judge0's /callback (no contestant
# route can fill it, so results keep arriving however busy the rest is),
# `fcgi-api` for the ICPC Contest API (an open event feed holds its thread
# for as long as the reader stays, so readers never take contestants').
POOLS=(fcgi fcgi-run fcgi-cb fcgi-api)

# pool_size NAME: "PROCS THREADS" of pool NAME (the one definition that
# scripts/stack and scripts/fcgi-reload both use).
pool_size() {
	case $1 in
	fcgi) echo "$FCGI_PROCS ${FCGI_THREADS:-8}" ;;
	fcgi-run) echo "${PITWALL_RUN_PROCS:-2} ${PITWALL_RUN_THREADS:-48}" ;;
	fcgi-cb) echo "${PITWALL_CB_PROCS:-2} ${PITWALL_CB_THREADS:-8}" ;;
	fcgi-api) echo "${PITWALL_API_PROCS:-1} ${PITWALL_API_THREADS:-32}" ;;
	*) return 1 ;;
	esac
}

# Services never run as root: as root we run them as `pitwall`.
if [[ $EUID -eq 0 ]]; then
	SVC_USER=${PITWALL_USER:-pitwall}
else
	SVC_USER=$(id -un)
fi
SVC_UID=$(id -u "$SVC_USER" 2>/dev/null || echo -1)

# What root runs and reads lives in files only root can change (issue
# 15): VAR itself and VAR/stack.env, the judge's settings
# (VAR/judge/judge.env) and, in VAR/root, the pid files, locks and logs
# of the processes root starts (the worker's supervisor and its worker,
# the judge's runners).  The service user owns VAR/run, VAR/log, VAR/pg
# and VAR/redis, where its processes write; root writes there only as
# the service user, and reads a pid from there only to check it
# (pid_is).  Without root, one user owns everything.
ROOT_DIR=$VAR/root

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# "${AS_SVC[@]}" CMD...: run CMD as the service user (exec, same pid).
if [[ $EUID -eq 0 ]]; then
	AS_SVC=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups
		--inh-caps=-all --)
else
	AS_SVC=(env)
fi
as_svc() { "${AS_SVC[@]}" "$@"; }

# proc_alive PID: PID runs (a zombie — killed, not yet reaped by an init
# that may never reap it — counts as dead).
proc_alive() {
	local st
	[[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n $st && $st != Z* ]]
}

# pid_read FILE: the first line of FILE when it is a regular file (a pid
# file the service user owns may be anything: a FIFO would block a read).
pid_read() {
	[[ -f $1 && ! -L $1 ]] || return 1
	head -c 64 "$1" 2>/dev/null | head -n 1
}

# pid_alive FILE: the pid in FILE is a running process.
pid_alive() {
	[[ -s $1 ]] || return 1
	proc_alive "$(pid_read "$1")"
}

# pid_is PID EXE UID: PID runs the program EXE (/proc/PID/exe; a binary
# rebuilt since reads "… (deleted)") with real and effective uid UID.
# Before root signals a pid it read from a file, so a pid file pointed
# at another process is refused.  An EXE that is a script (a stand-in in
# the tests) runs as its interpreter: then the uid alone decides.
pid_is() {
	local pid=$1 exe=$2 uid=$3 ids got
	proc_alive "$pid" || return 1
	ids=$(awk '/^Uid:/ { print $2 " " $3 }' "/proc/$pid/status" 2>/dev/null) || return 1
	[[ $ids == "$uid $uid" ]] || return 1
	[[ $(head -c 2 "$exe" 2>/dev/null) == '#!' ]] && return 0
	got=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[[ ${got% (deleted)} == "$(realpath -e "$exe" 2>/dev/null)" ]]
}

# all_alive FILE: every pid listed in FILE runs.
all_alive() {
	local pid
	[[ -s $1 && -f $1 ]] || return 1
	while read -r pid || [[ -n $pid ]]; do
		proc_alive "$pid" || return 1
	done < <(head -c 4096 "$1")
}

# stop_pidfile FILE NAME EXE UID: TERM the pids in FILE that run EXE as
# UID (pid_is), wait up to 15 s, then KILL them; others are left alone.
stop_pidfile() {
	local f=$1 name=$2 exe=$3 uid=$4 pid pids=() i left
	[[ -s $f ]] || { rm -f "$f"; return 0; }
	while read -r pid || [[ -n $pid ]]; do
		proc_alive "$pid" || continue
		if pid_is "$pid" "$exe" "$uid"; then
			pids+=("$pid")
		else
			echo "not stopping pid $pid of $f: it is not $exe of uid $uid" >&2
		fi
	done < <([[ -f $f && ! -L $f ]] && head -c 4096 "$f")
	if ((${#pids[@]})); then
		echo "stopping $name (${pids[*]})"
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for i in $(seq 1 150); do
			left=0
			for pid in "${pids[@]}"; do proc_alive "$pid" && left=1; done
			((left)) || break
			sleep 0.1
		done
		for pid in "${pids[@]}"; do
			proc_alive "$pid" && { echo "killing $name $pid"; kill -KILL "$pid" 2>/dev/null || true; }
		done
	fi
	rm -f "$f"
}

# trusted_file FILE: FILE is a regular file (not a symlink) that only we
# can change: owned by us, not writable by group or others, in a
# directory of the same kind.  Root reads settings only from such files.
trusted_file() {
	local f=$1 d st
	[[ -f $f && ! -L $f ]] || return 1
	d=$(dirname "$f")
	for st in "$(stat -c '%u %a' "$f")" "$(stat -L -c '%u %a' "$d")"; do
		[[ ${st%% *} == "$EUID" ]] || return 1
		(( (8#${st##* } & 8#022) == 0 )) || return 1
	done
}

# SETTING_NAMES: the variables a settings file may set (what write_env in
# scripts/stack and judge_settings in scripts/judge write).
SETTING_NAMES='^(PITWALL_[A-Z0-9_]+|JUDGE0?_[A-Z0-9_]+|DATABASE_URL(_FILE)?|PG(HOST|PORT|USER|DATABASE|SSLMODE|SSLROOTCERT)|REDIS_[A-Z0-9_]+|CALLBACK_[A-Z_]+|LIVE_PUBLISH_URL|JWT_[A-Z_]+|SUBMIT_[A-Z0-9_]+|RUN_[A-Z0-9_]+|WORKER_[A-Z0-9_]+|FCGI_[A-Z0-9_]+|MAX_[A-Z0-9_]+|OUTPUT_LIMIT_BYTES|CACHE_TTL)$'

# env_load FILE [keep]: export the NAME='value' lines of FILE (as kv in
# scripts/stack writes them), parsed, never sourced or evaluated: a value
# is data, whatever it holds.  Only names of SETTING_NAMES; with "keep",
# a variable set already keeps its value.  Returns 1 (with a message)
# when FILE is not trusted_file.
env_load() {
	local f=$1 keep=${2:-} line name val
	if ! trusted_file "$f"; then
		echo "refusing $f: not a regular file owned by uid $EUID and writable by it alone" >&2
		return 1
	fi
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
		name=${BASH_REMATCH[1]}
		val=${BASH_REMATCH[2]}
		[[ $name =~ $SETTING_NAMES ]] || continue
		if [[ $val =~ ^\'(.*)\'$ ]]; then
			val=${BASH_REMATCH[1]//\'\\\'\'/\'}
		elif [[ ! $val =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then
			echo "refusing $f: the value of $name is not quoted as scripts/stack writes it" >&2
			return 1
		fi
		[[ -n $keep && -v $name ]] && continue
		export "$name=$val"
	done <"$f"
}

# svc_write FILE [append]: standard input into FILE, written by the
# service user (FILE is in one of its directories: a symlink it planted
# there leads only where it may write anyway).
svc_write() {
	if [[ ${2:-} == append ]]; then
		as_svc tee -a "$1" >/dev/null
	else
		as_svc tee "$1" >/dev/null
	fi
}

# root_dir DIR MODE: DIR (under VAR) a directory of ours, not a symlink,
# with MODE; a symlink found there (an older layout let the service user
# write VAR) is removed first.
root_dir() {
	[[ -L $1 ]] && rm -f "$1"
	mkdir -p "$1"
	[[ $EUID -ne 0 ]] || chown -h root:root "$1"
	chmod "$2" "$1"
}

# pool_spawn NAME PROCS THREADS: start PROCS pitwall-fcgi processes of
# THREADS threads with spawn-fcgi on a socket of their own,
# $VAR/run/NAME.<gen>.sock (pids in NAME.<gen>.pids), and print <gen>.
# nginx reaches a pool through the symlink NAME.sock (pool_switch).
pool_spawn() {
	local name=$1 procs=$2 threads=$3 gen
	gen=$(date +%s%N)
	(cd "$VAR" && FCGI_THREADS=$threads PITWALL_LOG_FILE=$VAR/log/$name.log \
		as_svc spawn-fcgi -s "$VAR/run/$name.$gen.sock" -M 0660 -F "$procs" \
		-P "$VAR/run/$name.$gen.pids" -- "$BIN/pitwall-fcgi" >/dev/null) || return 1
	echo "$gen"
}

# pool_switch NAME GEN: new connections go to pool GEN from now on (the
# symlink NAME.sock is replaced by rename, atomically), and NAME.pids
# lists its pids.  In the service user's VAR/run, as the service user.
pool_switch() {
	local run=$VAR/run
	as_svc ln -sfn "$1.$2.sock" "$run/.$1.sock.new"
	as_svc mv -Tf "$run/.$1.sock.new" "$run/$1.sock"
	as_svc rm -f "$run/.$1.pids.new"
	as_svc cp "$run/$1.$2.pids" "$run/.$1.pids.new"
	as_svc mv -f "$run/.$1.pids.new" "$run/$1.pids"
}

# pool_gen NAME: the generation NAME.sock points at ("" when none).
pool_gen() {
	local t
	t=$(readlink "$VAR/run/$1.sock" 2>/dev/null) || return 0
	t=${t#"$1".}
	echo "${t%.sock}"
}

# tls_sock HOST:PORT: the unix socket of this host's TLS tunnel to the
# Redis server or sentinel at HOST:PORT (scripts/redis-tunnel, Sentinel
# with TLS: one tunnel per address; docs/redis.md).
tls_sock() {
	local a=${1//[^0-9A-Za-z.:-]/}
	echo "$VAR/run/redis-tls-${a//:/-}.sock"
}

# redis_to HOST:PORT|/PATH: redis-cli's options to reach it, one a line; a host:port
# that REDIS_ADDRESS_MAP maps (a TLS server, reached through its tunnel)
# is reached there, one it does not map is refused when there is a map.
redis_to() {
	local a=$1 e
	if [[ $a == /* ]]; then
		printf '%s\n' -s "$a"
		return 0
	fi
	if [[ -n ${REDIS_ADDRESS_MAP:-} ]]; then
		for e in ${REDIS_ADDRESS_MAP//,/ }; do
			[[ ${e%%=*} == "$a" ]] && { printf '%s\n' -s "${e#*=}"; return 0; }
		done
		echo "REDIS_ADDRESS_MAP has no tunnel for $a" >&2
		return 1
	fi
	printf '%s\n' -h "${a%:*}" -p "${a##*:}"
}

# sentinel_cli HOST:PORT|/PATH ARGS...: redis-cli to one sentinel (a
# path: its TLS tunnel's socket), with the sentinels' password
# (REDIS_SENTINEL_PASSWORD, or the file REDIS_SENTINEL_PASSWORD_FILE) in
# its environment when there is one.
sentinel_cli() {
	local s=$1 pass=${REDIS_SENTINEL_PASSWORD:-}
	local -a to
	shift
	if [[ $s == /* ]]; then to=(-s "$s"); else to=(-h "${s%:*}" -p "${s##*:}"); fi
	if [[ -z $pass && -n ${REDIS_SENTINEL_PASSWORD_FILE:-} ]]; then
		pass=$(head -c 4096 "$REDIS_SENTINEL_PASSWORD_FILE") || return 1
	fi
	if [[ -n $pass ]]; then
		REDISCLI_AUTH=$pass redis-cli --no-auth-warning "${to[@]}" "$@"
	else
		redis-cli "${to[@]}" "$@"
	fi
}

# redis_master: "HOST PORT" of the master the sentinels of
# REDIS_SENTINELS name (the first that answers).
redis_master() {
	local s addr
	for s in ${REDIS_SENTINELS//,/ }; do
		addr=$(sentinel_cli "$s" SENTINEL get-master-addr-by-name \
			"${REDIS_MASTER_NAME:-pitwall}" 2>/dev/null | tr '\n' ' ') || continue
		[[ $addr =~ ^[^\ ]+\ [0-9]+\ $ ]] && { echo "${addr% }"; return 0; }
	done
	return 1
}

# redis_cli ROLE ARGS...: redis-cli on REDIS_SOCKET, else
# REDIS_HOST:REDIS_PORT (a judge or app host), or the master the
# sentinels name when REDIS_SENTINELS is set (through its tunnel when
# REDIS_ADDRESS_MAP maps it); as the Redis ACL user
# pitwall-ROLE when REDIS_PASSWORD_DIR is set (docs/redis.md), else as
# REDIS_USER (or requirepass's default user) with REDIS_PASSWORD(_FILE)
# when set; the password reaches redis-cli in its environment, never its
# arguments.
redis_cli() {
	local role=$1 pass="" user="" m o
	local -a to
	shift
	if [[ -n ${REDIS_SENTINELS:-} ]]; then
		m=$(redis_master) || return 1
		o=$(redis_to "${m% *}:${m#* }") || return 1
		mapfile -t to <<<"$o"
	elif [[ -n ${REDIS_SOCKET:-} ]]; then
		to=(-s "$REDIS_SOCKET")
	else
		to=(-h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}")
	fi
	if [[ -n ${REDIS_PASSWORD_DIR:-} ]]; then
		pass=$(cat "$REDIS_PASSWORD_DIR/redis-$role.key") || return 1
		user=pitwall-$role
	elif [[ -n ${REDIS_PASSWORD:-} ]]; then
		pass=$REDIS_PASSWORD
	elif [[ -n ${REDIS_PASSWORD_FILE:-} ]]; then
		pass=$(head -c 4096 "$REDIS_PASSWORD_FILE") || return 1
	fi
	[[ -n $user || -z ${REDIS_USER:-} ]] || user=$REDIS_USER
	if [[ -n $pass ]]; then
		REDISCLI_AUTH=$pass redis-cli --no-auth-warning "${to[@]}" ${user:+--user "$user"} "$@"
	else
		redis-cli "${to[@]}" "$@"
	fi
}

# The worker (and the embedded judge's runners) run under cron: one
# crontab line per stack, tagged with VAR, runs scripts/worker-supervise
# --watch 55 every minute; its log is root's (VAR/root/supervise.log).
CRON_LOCK=/tmp/pitwall-crontab.lock

# cron_edit add|remove: this stack's line in the invoking user's crontab.
cron_edit() {
	command -v crontab >/dev/null || { echo "no crontab command: nothing is supervised" >&2; return 0; }
	local tag="# pitwall-supervise $VAR" line
	line="* * * * * PITWALL_VAR=$VAR PITWALL_BIN=$BIN /bin/bash $ROOT/scripts/worker-supervise --watch 55 >>$ROOT_DIR/supervise.log 2>&1 $tag"
	(
		flock -w 30 8 || { echo "cannot lock $CRON_LOCK" >&2; exit 1; }
		{
			crontab -l 2>/dev/null | awk -v t="$tag" \
				'length($0) < length(t) || substr($0, length($0) - length(t) + 1) != t' || true
			if [[ $1 == add ]]; then echo "$line"; fi
		} | crontab -
	) 8>"$CRON_LOCK"
}

# Start cron (Debian's, no systemd) when it is not running.
cron_start() {
	pgrep -x cron >/dev/null && return 0
	if [[ $EUID -ne 0 || ! -x /usr/sbin/cron ]]; then
		echo "cron is not running: start it, or nothing is supervised" >&2
		return 0
	fi
	echo "starting cron"
	# A system daemon outlives this stack: start it from / with a clean
	# environment, so nothing of this stack (its VAR, its cwd) stays in it.
	(cd / && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/cron)
}
