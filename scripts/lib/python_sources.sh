# Public Python sources that benchmarks put on PYTHONPATH (Debian 12 packages neither Gymnasium nor
# Stable-Baselines3; their source is fetched by hand under /tmp, never committed).

# source_root SCRIPT OPTION DIR PACKAGE: prints DIR as an absolute path once it holds PACKAGE/__init__.py (the root of
# PACKAGE's source tree); otherwise says what OPTION expects and exits with 2.
source_root() {
  local script="$1" option="$2" dir="$3" package="$4"
  if [[ ! -f $dir/$package/__init__.py ]]; then
    echo "$script: $option expects the root of $package's source (with $package/__init__.py); $dir has none" >&2
    exit 2
  fi
  (cd "$dir" && pwd)
}

# farama_notifications_stub DIR: Gymnasium imports farama_notifications only to print notices; when it is not
# importable, writes an empty module of that name into DIR and prints DIR (to go on PYTHONPATH), else prints nothing.
farama_notifications_stub() {
  /usr/bin/python3 -c 'import farama_notifications' 2>/dev/null && return 0
  : >"$1/farama_notifications.py"
  echo "$1"
}
