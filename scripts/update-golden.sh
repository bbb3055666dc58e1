#!/usr/bin/env bash
# Regenerates test/golden/*.out from qemu-riscv32, the reference for `pakaya run`: each file holds
# the program's stdout, then a last line `exit=N`. The cases (program and arguments) are listed in
# test/golden/cases.txt, one per line: `<name> <program> [args...]`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-riscv32 >/dev/null || { echo "update-golden: qemu-riscv32 not found (apt-get install qemu-user)" >&2; exit 1; }
while read -r name program args; do
  [ -z "$name" ] && continue
  case "$name" in \#*) continue ;; esac
  set +e
  # shellcheck disable=SC2086
  env -i PAKAYA_GOLDEN=1 qemu-riscv32 "user/bin/$program.elf" $args > "test/golden/$name.out" 2>/dev/null
  status=$?
  set -e
  echo "exit=$status" >> "test/golden/$name.out"
done < test/golden/cases.txt
