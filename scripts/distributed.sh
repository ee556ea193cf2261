#!/usr/bin/env bash
# Runs the Spark job (crates/python/job.py) in local mode on this machine:
#
#   scripts/distributed.sh INPUT OUTPUT [--partitions N] [--cores C] [--config puffy.toml]
#
# INPUT is a folder of CSV/ZIP exports (or one file); OUTPUT receives the
# files `puffy run` writes. Sets up what it needs first: Java 17 (Debian's
# package, if missing), a virtualenv .spark-venv with PySpark and pyarrow
# (crates/python/requirements.txt), and the puffy_engine wheel built from
# crates/python with maturin (rebuilt when the sources changed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
input=$1 output=$2
shift 2
partitions=4 cores=$(nproc) config=()
while [ $# -gt 0 ]; do
  case $1 in
    --partitions) partitions=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --config) config=(--config "$(realpath "$2")"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[distributed]\033[0m %s\n' "$*" >&2; }

if ! java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)'; then
  log "installing Java 17 (Debian's openjdk-17-jre-headless)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
fi

venv=$root/.spark-venv
reqs=crates/python/requirements.txt
if [ ! -x "$venv/bin/python" ] || [ "$reqs" -nt "$venv/.installed" ]; then
  log "setting up $venv (PySpark, pyarrow, maturin; about 2 minutes)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$reqs"
  touch "$venv/.installed"
fi
# shellcheck disable=SC1091
source "$venv/bin/activate"
export PYSPARK_PYTHON=$venv/bin/python PYSPARK_DRIVER_PYTHON=$venv/bin/python

# The wheel: rebuilt when any engine or binding source is newer than it.
stamp=$venv/.wheel
if [ ! -f "$stamp" ] || [ -n "$(find crates/engine crates/python Cargo.lock -newer "$stamp" \
    -type f \( -name '*.rs' -o -name '*.py' -o -name '*.toml' -o -name Cargo.lock \) -print -quit)" ]; then
  log "building the puffy_engine wheel (maturin, release)"
  rm -rf target/wheels
  (cd crates/python && maturin build --release --locked -q -o "$root/target/wheels" -i "$venv/bin/python" >&2)
  pip install -q --force-reinstall --no-deps target/wheels/puffy_engine-*.whl
  touch "$stamp"
fi

export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
# Spark's block manager and shuffle files go to a scratch folder of this
# run, removed on exit even when the job fails or is interrupted (Spark
# leaves its /tmp/blockmgr-* folders behind then: gigabytes at 100x).
scratch=$(mktemp -d "${TMPDIR:-/tmp}/puffy-spark-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export SPARK_LOCAL_DIRS=$scratch
log "running the job: $partitions partitions on $cores cores"
mkdir -p "$output"
# In local mode the driver is also the executor: its heap holds the
# shuffles and the cached rows (they spill to disk beyond it). Spark's own
# shuffles (copies, reused ids, the output order) run 4 tasks a core (or
# one a partition, if more): its default of 200 costs more in task start-up
# than it saves here, and one task alone runs out of heap at 100x.
# --partitions sets the partitions by person that the engine runs on.
shuffle=$((cores * 4 > partitions ? cores * 4 : partitions))
spark-submit --master "local[$cores]" --driver-memory "${PUFFY_SPARK_MEMORY:-10g}" \
  --driver-java-options "-Dlog4j.configurationFile=file:$root/crates/python/log4j2.properties" \
  --conf spark.ui.enabled=false --conf spark.sql.shuffle.partitions="$shuffle" \
  crates/python/job.py "$(realpath "$input")" --out "$(realpath "$output")" \
  --partitions "$partitions" "${config[@]}"
