#!/usr/bin/env bash
# gdb in batch mode runs a scenario through the -c dbg replay tool to the kernel's connect check
# (current_check_access_socket, op 10 below), then prints the domain, the task, a rule and the
# layer masks with tools/gdb/lockstep_gdb.py, and this test checks what they print: ports in host
# byte order listed in rb-tree key order, layer levels, access names, handled masks per layer,
# the layer-mask table before and after landlock_unmask_layers, and kernel source lines. It runs
# on each tree layout (6.12's layer_mask_t[], 7.2's struct layer_masks, 7.3's struct
# landlock_domain too: see "layout" below).
#
# Then the filesystem: `./lockstep gdb --batch corpus/fs_refer_reparent.scn --break-op 15`, as the
# lockstep script runs it (break_op's plan, `lockstep-break N KIND`, run), must stop in fs.c's
# hook_path_rename and reach current_check_refer_path; a scenario with one op of every
# filesystem kind must stop in each kind's hook; and `lockstep-op-kinds` must find every break
# function of every op kind in the binary (engine/ops.h LOCKSTEP_OPS, the one list).
#
# Arguments: the replay binary (built with -c dbg by //tools/gdb:defs.bzl's dbg_binary), the
# printers' file, the kernel tree's net.c (to find the tree in the runfiles), the break_op
# binary and corpus/fs_refer_reparent.scn.
set -uo pipefail

replay="$1"
printers="$2"
net_c="$3"
break_op="$4"
fs_case="$5"

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

# The tree's layout, as gdb sees the binary's types (never its version label):
#   6:   layer_mask_t[] per right (a bitmask of layers), domains are struct landlock_ruleset;
#   7:   struct layer_masks, one struct layer_mask (the rights it still denies) per layer
#        (Linux 7.x), landlock_unmask_layers(rule, masks) in ruleset.c;
#   7d:  as 7, and domains are struct landlock_domain (Linux 7.3): landlock_unmask_layers(domain,
#        id, masks, matched_rule) in domain.c finds the rule itself.
# Each layout gets the commands that reach the same data, and the same checks where it prints the
# same thing; where a 7.x tree knows more rights (REFER stored in a domain's fs mask, BIND_UDP and
# CONNECT_SEND_UDP granted as unhandled rights) the expected text names them.
# (gdb prints C++ syntax for this C++ program: "layer_mask layers[16];", no `struct`.)
probe="$(gdb -batch -nx -ex "ptype struct layer_masks" -ex "ptype struct landlock_domain" "$replay" 2>&1)"
layout=6
if grep -qE '^ +(struct )?layer_mask layers\[' <<<"$probe"; then
  layout=7
  grep -q '^type = struct landlock_domain {' <<<"$probe" && layout=7d
fi
echo "layer-mask layout: $layout"
case "$layout" in
  6)
    unmask_cmds=(-ex "print *rule" -ex "print *layer_masks" -ex "finish"
      -ex "lockstep-masks layer_masks" -ex "print dom->access_masks[0]")
    ;;
  7)
    unmask_cmds=(-ex "print *rule" -ex "print *masks" -ex "finish"
      -ex "lockstep-masks layer_masks" -ex "print subject->domain->access_masks[0]")
    ;;
  7d)
    unmask_cmds=(-ex "print *masks" -ex "finish" -ex "print *rule"
      -ex "lockstep-masks masks" -ex "print domain->handled_masks[0]")
    ;;
esac

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
  "${unmask_cmds[@]}" \
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
# The rights a 7.x tree adds to the text: REFER in a domain's stored fs mask
# (landlock_upgrade_handled_access_masks), UDP rights granted by a rule's layer that does not
# handle them (relative rights made absolute). ERE forms escape the |.
refer="" udp="" udp_re="" ruleset_struct=landlock_ruleset domain_struct=landlock_ruleset
if [ "$layout" != 6 ]; then
  refer="|REFER" udp="|BIND_UDP|CONNECT_SEND_UDP" udp_re='\|BIND_UDP\|CONNECT_SEND_UDP'
fi
[ "$layout" = 7d ] && domain_struct=landlock_domain

# Stopped in op 10 at the start of the kernel's check, with the kernel's source line (6.12 stops
# on the layer-mask array's declaration; 7.x on the opening brace or its struct's declaration).
expect_re 'current_check_access_socket \(sock=.*access_request=2(, connecting=(true|false))?\) at external/kernel_tree/security/landlock/net.c:[0-9]+'
if [ "$layout" = 6 ]; then
  expect_re '^[0-9]+[[:space:]]+layer_mask_t layer_masks\[LANDLOCK_NUM_ACCESS_NET\] = \{\};'
else
  expect_re '^[0-9]+[[:space:]]+(\{|struct layer_masks layer_masks = \{\};)$'
fi

# lockstep-task: fds, no_new_privs, the op, the domain.
expect_re '^task \(struct task_struct \*\) 0x[0-9a-f]+: op 10, no_new_privs=1, CAP_SYS_ADMIN=0'
expect_re '^  fd 3 +ruleset \(struct landlock_ruleset \*\) 0x[0-9a-f]+: handles fs=READ_FILE net=BIND_TCP\|CONNECT_TCP scope=-, 3 rules$'
expect_re '^  fd 4 +ruleset \(struct landlock_ruleset \*\) 0x[0-9a-f]+: handles fs=- net=CONNECT_TCP scope=-, 1 rule$'
expect_re '^  fd 5 +socket inet stream tcp \(struct socket \*\) 0x[0-9a-f]+$'
expect_re "^domain \\(struct $domain_struct \\*\\) 0x[0-9a-f]+:\$"
expect_re "$domain_struct 0x[0-9a-f]+: domain, 2 layers, num_rules=3, usage=1\$"
# Handled masks per layer, by name.
expect "    layer 1 handles fs=READ_FILE$refer net=BIND_TCP|CONNECT_TCP scope=-"
expect '    layer 2 handles fs=- net=CONNECT_TCP scope=-'
# Rules: host-order ports with their big-endian keys, layer levels and rights; relative rights
# made absolute (layer 2 does not handle bind, so its rule grants it).
expect '    net port rules (3, in key order):'
expect_re "^      port 256 \\(key 0x0001\\) +layer 1: CONNECT_TCP$udp_re\$"
expect_re "^      port 8080 \\(key 0x901f\\) +layer 1: BIND_TCP$udp_re\$"
expect_re "^      port 443 \\(key 0xbb01\\) +layer 1: CONNECT_TCP$udp_re, layer 2: BIND_TCP\\|CONNECT_TCP$udp_re\$"
expect '    inode rules: none'
# Key order, not host order: 256, 8080, 443.
order="$(grep -oE '^      port [0-9]+' "$out" | awk '{print $2}' | tr '\n' ' ')"
[ "$order" = "256 8080 443 " ] || fail "ruleset printer: rules in order '$order', want key order '256 8080 443 '"

# lockstep-rules: the rule x layer table.
expect_re "^landlock_cred\\(current->cred\\)->domain \\(struct $domain_struct \\*\\) 0x[0-9a-f]+: domain, 2 layers, 3 rules\$"
expect_re '^    port +key +layer 1 +layer 2$'
expect_re "^    256 +0x0001 +CONNECT_TCP$udp_re +-\$"
expect_re "^    8080 +0x901f +BIND_TCP$udp_re +-\$"
expect_re "^    443 +0xbb01 +CONNECT_TCP$udp_re +BIND_TCP\\|CONNECT_TCP$udp_re\$"
order="$(grep -oE '^    (256|443|8080) ' "$out" | tr -d ' ' | tr '\n' ' ')"
[ "$order" = "256 8080 443 " ] || fail "lockstep-rules: rules in order '$order', want '256 8080 443 '"

# A ruleset that is not a domain (fd 4): one set of handled rights, rules at level 0.
expect_re "= $ruleset_struct 0x[0-9a-f]+: ruleset \\(not a domain: its rules are unmerged, level 0\\), num_rules=1, usage=1\$"
expect '  ruleset handles fs=- net=CONNECT_TCP scope=-'
expect_re "^    port 443 \\(key 0xbb01\\) +unmerged: BIND_TCP\\|CONNECT_TCP$udp_re\$"

# The rule landlock_find_rule found for port 256, and the masks before unmasking: both layers
# handle connect. Then after landlock_unmask_layers (it returns false): layer 1's rule cleared its
# bit, layer 2 denies. The masks are the same table in every layout; its title names the type.
case "$layout" in
  6)
    expect_re 'landlock_unmask_layers \(rule=0x[0-9a-f]+, access_request=2, layer_masks=0x[0-9a-f]+, masks_array_size=2\) at external/kernel_tree/security/landlock/ruleset.c:[0-9]+'
    expect_re '^[0-9]+[[:space:]]+if \(!access_request \|\| !layer_masks\)'
    masks_title='layer_mask_t[2] (net rights)'
    after_var=layer_masks
    ;;
  7)
    expect_re 'landlock_unmask_layers \(rule=0x[0-9a-f]+, masks=0x[0-9a-f]+\) at external/kernel_tree/security/landlock/ruleset.c:[0-9]+'
    expect_re '^[0-9]+[[:space:]]+if \(!masks\)'
    masks_title='struct layer_masks (net rights)'
    after_var=layer_masks
    ;;
  7d)
    # 7.3 looks the rule up inside (find_rule): the key is an argument, the rule is the caller's
    # unmask_layers_net's `rule` once the call returns.
    expect_re 'landlock_unmask_layers \(domain=0x[0-9a-f]+, id=\{port 256 \(key 0x0001\), LANDLOCK_KEY_NET_PORT\}, masks=0x[0-9a-f]+, matched_rule=0x[0-9a-f]+\) at external/kernel_tree/security/landlock/domain.c:[0-9]+'
    expect_re '^[0-9]+[[:space:]]+if \(!masks\)'
    masks_title='struct layer_masks (net rights)'
    after_var=masks
    ;;
esac
expect "= landlock_rule {port 256 (key 0x0001), num_layers=1: level 1: CONNECT_TCP$udp}"
expect "= $masks_title: x = the layer handles the right and none of its rules allowed it (yet)"
expect_re '^  access \\ layer +1 +2$'
expect_re '^  CONNECT_TCP +x +x$'
expect_re 'Value returned is \$[0-9]+ = false'
expect "$after_var: $masks_title"
expect_re '^  CONNECT_TCP +\. +x$'
expect_re '^  BIND_TCP +\. +\.$'
if [ "$layout" != 6 ]; then
  expect_re '^  BIND_UDP +\. +\.$'
  expect_re '^  CONNECT_SEND_UDP +\. +\.$'
fi
# struct access_masks and struct landlock_id.
expect "= {fs=READ_FILE$refer net=BIND_TCP|CONNECT_TCP scope=-}"
expect '= {port 256 (key 0x0001), LANDLOCK_KEY_NET_PORT}'

cat "$out"
echo "PASS: gdb printers (ports, key order, layers, access names, handled masks, layer masks)"

# ---- the filesystem: lockstep-break stops in the fs hook of each op kind ---------------------------
gdb_common=(
  -batch -nx
  -iex "add-auto-load-safe-path $(dirname "$(readlink -f "$printers")")"
  -iex "set substitute-path /proc/self/cwd/external $external"
  -iex "set disable-randomization off"
  -ex "set environment ASAN_OPTIONS=detect_leaks=0"
)

# As `./lockstep gdb --batch corpus/fs_refer_reparent.scn --break-op 15` runs it: break_op's plan,
# then lockstep-break N KIND and run.
plan="$("$break_op" --op=15 "$fs_case")" || { echo "FAIL: break_op --op=15 $fs_case" >&2; exit 1; }
read -r n kind why <<<"$plan"
[ "$n $kind $why" = "15 rename chosen" ] || { echo "FAIL: break_op plan '$plan', want '15 rename chosen'" >&2; exit 1; }
out="$TEST_TMPDIR/gdb_fs.out"
gdb "${gdb_common[@]}" \
  -ex "lockstep-break $n $kind" \
  -ex run \
  -ex bt \
  -ex lockstep-task \
  -ex "tbreak current_check_refer_path" \
  -ex continue \
  -ex "print lockstep_current_op" \
  -ex kill \
  --args "$replay" --engines=kernel "$fs_case" >"$out" 2>&1
echo "gdb (fs case) exited with status $?"
expect "lockstep: op 15 stops in hook_path_rename (condition lockstep_current_op == 15)"
expect_re '^#0 +hook_path_rename \(.*\) at external/kernel_tree/security/landlock/fs.c:[0-9]+'
expect_re '^task \(struct task_struct \*\) 0x[0-9a-f]+: op 15, '
expect_re 'current_check_refer_path \(.*\) at external/kernel_tree/security/landlock/fs.c:[0-9]+'
expect_re '^\$[0-9]+ = 15$'
cat "$out"

# One op of every filesystem kind. No ruleset is needed: the hooks run for every op and decide
# with the task's domain (none here). The op numbers and the hook each must stop in:
scn="$TEST_TMPDIR/every_fs_op.scn"
printf '%s\n' \
  "mkdir a" \
  "mknod a/f reg" \
  "f = open a/f rdwr" \
  "ftruncate f" \
  "truncate a/f" \
  "ioctl f fionread" \
  "link a/f a/g" \
  "rename a/g a/h" \
  "unlink a/h" \
  "mkdir b" \
  "rmdir b" \
  "execute a/f" \
  "mkdir m" \
  "bind_mount a m" \
  "g = open a/new wronly|creat" >"$scn"
want=(
  "1 mkdir hook_path_mkdir"
  "2 mknod hook_path_mknod"
  "3 open hook_file_open"
  "4 ftruncate hook_file_truncate"
  "5 truncate hook_path_truncate"
  "6 ioctl hook_file_ioctl"
  "7 link hook_path_link"
  "8 rename hook_path_rename"
  "9 unlink hook_path_unlink"
  "11 rmdir hook_path_rmdir"
  "12 execute hook_file_open"
  "14 bind_mount hook_sb_mount"
  "15 open hook_path_mknod"
)
cmds=()
for w in "${want[@]}"; do
  read -r n kind _ <<<"$w"
  cmds+=(-ex "lockstep-break $n $kind")
done
# Run, and at each stop print the op and the function, until the program exits.
stops="$TEST_TMPDIR/stops.py"
printf '%s\n' \
  'import gdb' \
  'gdb.execute("run")' \
  'while True:' \
  '    try:' \
  '        frame = gdb.selected_frame()' \
  '    except gdb.error:' \
  '        break' \
  '    op = int(gdb.parse_and_eval("lockstep_current_op"))' \
  '    print("stop: op %d in %s" % (op, frame.name()))' \
  '    gdb.execute("continue")' >"$stops"
out="$TEST_TMPDIR/gdb_every_fs_op.out"
gdb "${gdb_common[@]}" "${cmds[@]}" -ex lockstep-op-kinds -x "$stops" \
  --args "$replay" --engines=kernel "$scn" >"$out" 2>&1
echo "gdb (every fs op) exited with status $?"
for w in "${want[@]}"; do
  read -r n kind hook <<<"$w"
  expect "stop: op $n in $hook"
done
# Each op stops once, in op order (each breakpoint carries its op's condition), but for the open
# that creates its file: make_reg first (hook_path_mknod), then the open itself (hook_file_open).
got="$(grep -oE '^stop: op [0-9]+ in [a-z_]+' "$out" | awk '{print $3 ":" $5}' | paste -sd' ')"
want_stops="1:hook_path_mkdir 2:hook_path_mknod 3:hook_file_open 4:hook_file_truncate"
want_stops+=" 5:hook_path_truncate 6:hook_file_ioctl 7:hook_path_link 8:hook_path_rename"
want_stops+=" 9:hook_path_unlink 11:hook_path_rmdir 12:hook_file_open 14:hook_sb_mount"
want_stops+=" 15:hook_path_mknod 15:hook_file_open"
[ "$got" = "$want_stops" ] || fail "stops '$got', want '$want_stops'"

# Every op kind has break functions, and all are in this binary: lockstep-op-kinds reads the table
# from the binary (lockstep_gdb.py keeps no list), and break_op --list prints the same table.
kinds="$("$break_op" --list)"
[ -n "$kinds" ] || fail "break_op --list printed nothing"
while read -r kind functions; do
  [ -n "$functions" ] || fail "op kind $kind has no break function"
  expect_re "^  $kind +${functions// /, }\$"
done <<<"$kinds"
if grep -q '(missing)' "$out"; then
  fail "a break function is not in the binary: $(grep '(missing)' "$out" | head -3 | tr -s ' ')"
fi
cat "$out"
echo "PASS: lockstep-break stops in the fs hook of every filesystem op kind; every op kind's break functions are in the binary"
