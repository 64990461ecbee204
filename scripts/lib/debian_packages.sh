# install_debian_packages PACKAGE...: installs with apt-get the packages among those named that are not installed yet
# (as root, or through sudo), and does nothing when all are. Used by scripts/setup and by benchmark scripts that need
# more than the project itself.
install_debian_packages() {
  local package sudo="" missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "${0##*/}: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
