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
PORT_BASE=${PITWALL_PORT_BASE:-8440}
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

# The responder pools, each on a socket of its own so that one kind of
# work cannot take the threads another needs: `fcgi` for the contestant
# and admin routes, `fcgi-run` for /run and /runcustom (their threads wait
# on Judge0 for seconds), `fcgi-cb` for Judge0's /callback (no contestant
# route can fill it, so results keep arriving however busy the rest is).
POOLS=(fcgi fcgi-run fcgi-cb)

# pool_size NAME: "PROCS THREADS" of pool NAME (the one definition that
# scripts/stack and scripts/fcgi-reload both use).
pool_size() {
	case $1 in
	fcgi) echo "$FCGI_PROCS ${FCGI_THREADS:-8}" ;;
	fcgi-run) echo "${PITWALL_RUN_PROCS:-2} ${PITWALL_RUN_THREADS:-48}" ;;
	fcgi-cb) echo "${PITWALL_CB_PROCS:-2} ${PITWALL_CB_THREADS:-8}" ;;
	*) return 1 ;;
	esac
}

# Services never run as root: as root we run them as `pitwall`.
if [[ $EUID -eq 0 ]]; then
	SVC_USER=${PITWALL_USER:-pitwall}
else
	SVC_USER=$(id -un)
fi

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

# pid_alive FILE: the pid in FILE is a running process.
pid_alive() {
	[[ -s $1 ]] || return 1
	proc_alive "$(head -n 1 "$1")"
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
# lists its pids.
pool_switch() {
	local run=$VAR/run
	ln -sfn "$1.$2.sock" "$run/.$1.sock.new"
	mv -Tf "$run/.$1.sock.new" "$run/$1.sock"
	cp "$run/$1.$2.pids" "$run/.$1.pids.new"
	mv -f "$run/.$1.pids.new" "$run/$1.pids"
}

# pool_gen NAME: the generation NAME.sock points at ("" when none).
pool_gen() {
	local t
	t=$(readlink "$VAR/run/$1.sock" 2>/dev/null) || return 0
	t=${t#"$1".}
	echo "${t%.sock}"
}
