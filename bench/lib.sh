# What the benchmark scripts share (sourced by bench/e2e.sh, bench/ingest.sh, bench/frontdoor.sh): their
# argument parsing, the build of what they run, and the async-profiler library. Run from the repository root.

# bench_args SCRIPT FLAGS "$@": every "--name value" pair into ARGS; of the flags the script takes (FLAGS:
# "asprof", "asprof jfr"), --asprof and --jfr into ASPROF and JFR; --help prints the script's leading comment block.
bench_args() {
    local script=$1 flags=" $2 "
    shift 2
    ARGS=()
    ASPROF=""
    JFR=""
    while [[ $# -gt 0 ]]; do
        case $1 in
            --asprof|--jfr) [[ $flags == *" ${1#--} "* ]] || { echo "$script takes no $1" >&2; exit 64; }
                [[ $1 == --asprof ]] && ASPROF=1 || JFR=1; shift ;;
            -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$script"; exit 0 ;;
            --*) [[ $# -ge 2 ]] || { echo "$1 needs a value" >&2; exit 64; }; ARGS+=("$1" "$2"); shift 2 ;;
            *) echo "unexpected argument $1 (see $script --help)" >&2; exit 64 ;;
        esac
    done
}

# bench_build MODULES [JAR...]: packages the bench module (and MODULES, comma-separated, may be empty) when its
# classpath file or one of the JARs is missing, or E2E_REBUILD is set; offline first.
bench_build() {
    local modules=${1:+$1,}bench
    shift
    local missing=${E2E_REBUILD:-}
    [[ -f bench/target/e2e-classpath.txt ]] || missing=1
    for jar in "$@"; do [[ -f $jar ]] || missing=1; done
    if [[ -n $missing ]]; then
        mvn -B -ntp -q -o -DskipTests -Djacoco.skip=true -pl "$modules" -am package ||
            mvn -B -ntp -q -DskipTests -Djacoco.skip=true -pl "$modules" -am package
    fi
    mkdir -p bench/results
}

# bench_asprof_lib: the path of async-profiler's library, unpacked on first use from the Pyroscope agent the
# job already depends on (observability/): no download.
bench_asprof_lib() {
    local lib=$PWD/bench/target/libasyncProfiler.so
    if [[ ! -f $lib ]]; then
        local agent
        agent=$(ls "$HOME"/.m2/repository/io/pyroscope/agent/*/agent-*.jar | sort -V | tail -1)
        unzip -p "$agent" libasyncProfiler-linux-x64.so > "$lib"
    fi
    echo "$lib"
}
