#!/usr/bin/env bash
# gdb in batch mode runs a scenario through the -c dbg replay tool to the kernel's connect check
# (current_check_access_socket, op 10 below), then prints the domain, the task, a rule and the
# layer masks with tools/gdb/lockstep_gdb.py, and this test checks what they print: ports in host
# byte order listed in rb-tree key order, layer levels, access names, handled masks per layer,
# the layer-mask table before and after landlock_unmask_layers, and kernel source lines.
#
# Arguments: the replay binary (built with -c dbg by //tools/gdb:defs.bzl's dbg_binary), the
# printers' file, and the kernel tree's net.c (to find the tree in the runfiles).
set -uo pipefail

replay="$1"
printers="$2"
net_c="$3"

fail() {
  echo "FAIL: $*" >&2
  echo "---- gdb output ----" >&2
  cat "$out" >&2
  exit 1
}

command -v gdb >/dev/null || { echo "FAIL: gdb is not installed (tools/setup.sh installs it)" >&2; exit 1; }

# Layer 1 handles bind+connect (and one fs right), layer 2 connect only. Ports whose host order
# (256 < 443 < 8080) differs from their key order (htons: 0x0001 < 0x901f < 0xbb01).
scn="$TEST_TMPDIR/layers.scn"
cat >"$scn" <<'EOF'
a = create_ruleset handled_net=bind|connect handled_fs=read_file
add_rule a net_port allowed=connect port=443
add_rule a net_port allowed=bind port=8080
add_rule a net_port allowed=connect port=256
restrict_self a
b = create_ruleset handled_net=connect
add_rule b net_port allowed=connect port=443
restrict_self b
s = socket inet stream
connect s inet:127.0.0.1:256 expect EACCES
connect s inet:127.0.0.1:443 expect 0
EOF

# The binary's sources are external/kernel_tree/... relative to /proc/self/cwd (Bazel's execution
# root); in the runfiles the tree is a sibling of this workspace.
tree_root="${net_c%/security/landlock/net.c}"
external="$(cd "$(dirname "$tree_root")" && pwd)"

# gdb finds tools/gdb/lockstep_gdb.py (named in the binary) in its current directory, the
# runfiles, and loads it from where the runfiles link points (safe-path checks the real path).
# LeakSanitizer cannot run under ptrace (under --config=asan): the replay's leak check is off here;
# the ASan tests elsewhere keep it.
out="$TEST_TMPDIR/gdb.out"
gdb -batch -nx \
  -iex "add-auto-load-safe-path $(dirname "$(readlink -f "$printers")")" \
  -iex "set substitute-path /proc/self/cwd/external $external" \
  -iex "set disable-randomization off" \
  -ex "set environment ASAN_OPTIONS=detect_leaks=0" \
  -ex "info auto-load python-scripts" \
  -ex "lockstep-break 10 connect" \
  -ex "run" \
  -ex "frame" \
  -ex "lockstep-task" \
  -ex "lockstep-rules" \
  -ex "print *(struct landlock_ruleset *) ((struct task_struct *) lockstep_gdb_task)->files->fd[4]->private_data" \
  -ex "tbreak landlock_unmask_layers" \
  -ex "continue" \
  -ex "print *rule" \
  -ex "print *layer_masks" \
  -ex "finish" \
  -ex "lockstep-masks layer_masks" \
  -ex "print dom->access_masks[0]" \
  -ex "print id" \
  -ex "kill" \
  --args "$replay" --engines=kernel "$scn" >"$out" 2>&1
echo "gdb exited with status $?"

expect() { # a fixed string the output must contain
  grep -qF -- "$1" "$out" || fail "no line with: $1"
}
expect_re() { # an extended regular expression some line must match
  grep -qE -- "$1" "$out" || fail "no line matching: $1"
}

# Auto-load: the printers came from the binary's .debug_gdb_scripts entry, not from -x.
expect_re '^Yes +tools/gdb/lockstep_gdb.py'
# Stopped in op 10 at the start of the kernel's check, with the kernel's source line.
expect_re 'current_check_access_socket \(sock=.*access_request=2\) at external/kernel_tree/security/landlock/net.c:[0-9]+'
expect_re '^[0-9]+[[:space:]]+layer_mask_t layer_masks\[LANDLOCK_NUM_ACCESS_NET\] = \{\};'

# lockstep-task: fds, no_new_privs, the op, the domain.
expect_re '^task \(struct task_struct \*\) 0x[0-9a-f]+: op 10, no_new_privs=1, CAP_SYS_ADMIN=0'
expect_re '^  fd 3 +ruleset \(struct landlock_ruleset \*\) 0x[0-9a-f]+: handles fs=READ_FILE net=BIND_TCP\|CONNECT_TCP scope=-, 3 rules$'
expect_re '^  fd 4 +ruleset \(struct landlock_ruleset \*\) 0x[0-9a-f]+: handles fs=- net=CONNECT_TCP scope=-, 1 rule$'
expect_re '^  fd 5 +socket inet stream tcp \(struct socket \*\) 0x[0-9a-f]+$'
expect_re 'landlock_ruleset 0x[0-9a-f]+: domain, 2 layers, num_rules=3, usage=1$'
# Handled masks per layer, by name.
expect '    layer 1 handles fs=READ_FILE net=BIND_TCP|CONNECT_TCP scope=-'
expect '    layer 2 handles fs=- net=CONNECT_TCP scope=-'
# Rules: host-order ports with their big-endian keys, layer levels and rights; relative rights
# made absolute (layer 2 does not handle bind, so its rule grants it).
expect '    net port rules (3, in key order):'
expect_re '^      port 256 \(key 0x0001\) +layer 1: CONNECT_TCP$'
expect_re '^      port 8080 \(key 0x901f\) +layer 1: BIND_TCP$'
expect_re '^      port 443 \(key 0xbb01\) +layer 1: CONNECT_TCP, layer 2: BIND_TCP\|CONNECT_TCP$'
expect '    inode rules: none'
# Key order, not host order: 256, 8080, 443.
order="$(grep -oE '^      port [0-9]+' "$out" | awk '{print $2}' | tr '\n' ' ')"
[ "$order" = "256 8080 443 " ] || fail "ruleset printer: rules in order '$order', want key order '256 8080 443 '"

# lockstep-rules: the rule x layer table.
expect_re '^    port +key +layer 1 +layer 2$'
expect_re '^    256 +0x0001 +CONNECT_TCP +-$'
expect_re '^    8080 +0x901f +BIND_TCP +-$'
expect_re '^    443 +0xbb01 +CONNECT_TCP +BIND_TCP\|CONNECT_TCP$'
order="$(grep -oE '^    (256|443|8080) ' "$out" | tr -d ' ' | tr '\n' ' ')"
[ "$order" = "256 8080 443 " ] || fail "lockstep-rules: rules in order '$order', want '256 8080 443 '"

# A ruleset that is not a domain (fd 4): one set of handled rights, rules at level 0.
expect_re '= landlock_ruleset 0x[0-9a-f]+: ruleset \(not a domain: its rules are unmerged, level 0\), num_rules=1, usage=1$'
expect '  ruleset handles fs=- net=CONNECT_TCP scope=-'
expect_re '^    port 443 \(key 0xbb01\) +unmerged: BIND_TCP\|CONNECT_TCP$'

# The rule landlock_find_rule found for port 256, and the masks before unmasking: both layers
# handle connect.
expect_re 'landlock_unmask_layers \(rule=0x[0-9a-f]+, access_request=2, layer_masks=0x[0-9a-f]+, masks_array_size=2\) at external/kernel_tree/security/landlock/ruleset.c:[0-9]+'
expect_re '^[0-9]+[[:space:]]+if \(!access_request \|\| !layer_masks\)'
expect '= landlock_rule {port 256 (key 0x0001), num_layers=1: level 1: CONNECT_TCP}'
expect '= layer_mask_t[2] (net rights): x = the layer handles the right and none of its rules allowed it (yet)'
expect_re '^  access \\ layer +1 +2$'
expect_re '^  CONNECT_TCP +x +x$'
# After landlock_unmask_layers (it returns false): layer 1's rule cleared its bit, layer 2 denies.
expect 'Value returned is $4 = false'
expect 'layer_masks: layer_mask_t[2] (net rights)'
expect_re '^  CONNECT_TCP +\. +x$'
expect_re '^  BIND_TCP +\. +\.$'
# struct access_masks and struct landlock_id.
expect '= {fs=READ_FILE net=BIND_TCP|CONNECT_TCP scope=-}'
expect '= {port 256 (key 0x0001), LANDLOCK_KEY_NET_PORT}'

cat "$out"
echo "PASS: gdb printers (ports, key order, layers, access names, handled masks, layer masks)"
