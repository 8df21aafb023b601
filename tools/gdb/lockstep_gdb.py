# SPDX-License-Identifier: GPL-2.0-only
"""gdb support for lockstep: pretty-printers for Landlock's structures and the engine's task.

Loaded by gdb for every binary holding a kernel revision (tools/gdb/auto_load.c puts this file's
name in the binary's .debug_gdb_scripts section), or by hand: `source tools/gdb/lockstep_gdb.py`.
See docs/gdb.md.

Printers (`print`, `info locals`, `frame` arguments ...):
  struct landlock_ruleset  layers' handled masks by name, rules of both rb-trees in key order
                           (ports in host byte order), num_rules, usage
  struct landlock_domain   the same for a domain (Linux 7.3+: a domain is no longer a ruleset)
  struct landlock_rule     key and layers, each with its level and access names
  struct access_masks      fs=... net=... scope=...
  layer_mask_t[N]          an access x layer table (N = 2: net rights, N = 16: fs rights)
  struct layer_masks       the same table from Linux 7.x's layout: one struct layer_mask (the
                           rights a layer still denies, a quiet bit) per layer

Each generation's layout is recognised by the types gdb sees, never by a version: whether
struct layer_masks exists and is what the frame holds, whether a ruleset keeps its rb-trees in a
`rules` member, its handled masks in `access_masks[]` or `handled_masks`, and so on.

Commands:
  lockstep-task            the simulated task: fds (rulesets, sockets), no_new_privs, domain
  lockstep-rules [EXPR]    a ruleset's or domain's rules as a table (default: current domain)
  lockstep-masks EXPR [net|fs]   layer masks as a table, also through a pointer (layer_mask_t (*)[],
                           struct layer_masks *)
  lockstep-break N [KIND]  stop in the kernel function deciding op N of the scenario (1-based)
  lockstep-op-kinds        every op kind, the functions lockstep-break stops in, whether each is
                           in the binary
Convenience function: $lockstep_domain() is the current task's domain (struct landlock_ruleset *,
or struct landlock_domain * from Linux 7.3).

The names of access rights come from the kernel tree's include/uapi/linux/landlock.h when gdb can
find it next to the kernel sources, else from a table of the newest names lockstep knows (Linux
7.3's); how many rights each kind has comes from the bit-field widths of struct access_masks in
the binary's debug info, so an older tree's binary shows only its own rights.
"""

import os
import re

import gdb
import gdb.printing

# Linux 7.3's names (include/uapi/linux/landlock.h), used when the tree's uapi header cannot be
# found; cut to the binary's own number of rights (_num_rights), so a 6.12 binary has 16 fs and 2
# net names. Rights are only ever added at the end.
_DEFAULT_NAMES = {
    "fs": ["EXECUTE", "WRITE_FILE", "READ_FILE", "READ_DIR", "REMOVE_DIR", "REMOVE_FILE",
           "MAKE_CHAR", "MAKE_DIR", "MAKE_REG", "MAKE_SOCK", "MAKE_FIFO", "MAKE_BLOCK",
           "MAKE_SYM", "REFER", "TRUNCATE", "IOCTL_DEV", "RESOLVE_UNIX"],
    "net": ["BIND_TCP", "CONNECT_TCP", "BIND_UDP", "CONNECT_SEND_UDP"],
    "scope": ["ABSTRACT_UNIX_SOCKET", "SIGNAL"],
}
_UAPI_PREFIX = {"fs": "LANDLOCK_ACCESS_FS_", "net": "LANDLOCK_ACCESS_NET_",
                "scope": "LANDLOCK_SCOPE_"}
_names_cache = {}

# The kernel functions that decide each kind of op are not listed here: the one list is
# LOCKSTEP_OPS in engine/ops.h, which every binary running scenarios carries as the
# char array `lockstep_gdb_op_kinds` ("KIND FUNCTION...\n" per kind; see break_functions()).
_OP_KINDS_SYMBOL = "lockstep_gdb_op_kinds"

_FAMILIES = {0: "unspec", 1: "unix", 2: "inet", 10: "inet6", 16: "netlink", 17: "packet"}
_TYPES = {1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket", 6: "dccp", 10: "packet"}
_PROTOCOLS = {0: "", 6: "tcp", 17: "udp", 132: "sctp", 136: "udplite", 262: "mptcp"}


# ---- helpers ----------------------------------------------------------------------------------

def break_functions():
    """{op kind: [functions]} from the binary's table, in the table's order.

    Read from the executable (a plain char array, no relocations), so it works before `run`.
    Raises gdb.GdbError when the binary has no table (it does not link scenario/)."""
    try:
        text = gdb.parse_and_eval(_OP_KINDS_SYMBOL).string()
    except (gdb.error, gdb.MemoryError) as e:
        raise gdb.GdbError("lockstep: this binary has no op-kind table (%s: %s); break by hand: "
                           "break FUNCTION if lockstep_current_op == N" % (_OP_KINDS_SYMBOL, e))
    table = {}
    for line in text.splitlines():
        words = line.split()
        if words:
            table[words[0]] = words[1:]
    return table


def _function_in_binary(name):
    """Whether the binary has a function `name` (global or file-static, e.g. a Landlock hook)."""
    try:
        for lookup in (gdb.lookup_global_symbol, gdb.lookup_static_symbol):
            sym = lookup(name)
            if sym is not None and sym.is_function:
                return True
    except gdb.error:
        pass
    return False


def _context_block():
    """The selected frame's block, or None (no process, or no debug info there)."""
    try:
        return gdb.selected_frame().block()
    except (gdb.error, RuntimeError):
        return None


def _type(name):
    """The type `name` as the selected frame's code sees it. A binary may hold two kernel
    revisions (the default tree and --kernel-tree-b's), each with its own struct access_masks,
    struct landlock_ruleset ...: a global lookup may return the other revision's layout, so the
    frame's scope comes first, then the global lookup."""
    block = _context_block()
    if block is not None:
        # gdb.lookup_type(name, block) still answers from the global table for a struct tag;
        # lookup_symbol searches the block, then its file's static block, then the globals.
        tag = name[len("struct "):] if name.startswith("struct ") else None
        try:
            sym, _ = gdb.lookup_symbol(tag or name, block,
                                       gdb.SYMBOL_STRUCT_DOMAIN if tag else gdb.SYMBOL_VAR_DOMAIN)
            if sym is not None and (tag or sym.addr_class == gdb.SYMBOL_LOC_TYPEDEF):
                return sym.type
        except (gdb.error, RuntimeError):
            pass
    return gdb.lookup_type(name)


def _tree_root_of(path):
    """The kernel tree holding `path` (a security/landlock/ file), or None."""
    marker = os.sep + os.path.join("security", "landlock") + os.sep
    i = path.rfind(marker)
    return path[:i] if i >= 0 else None


def _uapi_header():
    """include/uapi/linux/landlock.h of the tree the binary's kernel code came from, or None:
    the tree of the selected frame (or a caller) when it is in security/landlock/ (a binary may
    hold two revisions), else the tree of a current_check_access_socket."""
    paths = []
    try:
        frame = gdb.selected_frame()
        depth = 0
        while frame is not None and depth < 8:
            symtab = frame.find_sal().symtab
            if symtab is not None:
                paths.append(symtab.fullname())
            frame = frame.older()
            depth += 1
    except (gdb.error, RuntimeError):
        pass
    try:
        sym = gdb.lookup_static_symbol("current_check_access_socket")
        if sym is not None and sym.symtab is not None:
            paths.append(sym.symtab.fullname())
    except gdb.error:
        pass
    for path in paths:
        root = _tree_root_of(path)
        if root is None:
            continue
        header = os.path.join(root, "include", "uapi", "linux", "landlock.h")
        if os.path.isfile(header):
            return header
    return None


def _num_rights(kind):
    """How many rights of `kind` the binary's struct access_masks holds (its bit-field width)."""
    try:
        for field in _type("struct access_masks").fields():
            if field.name == kind and field.bitsize:
                return field.bitsize
    except gdb.error:
        pass
    return len(_DEFAULT_NAMES[kind])


def access_names(kind):
    """The names of the rights of `kind` ("fs", "net" or "scope"), bit 0 first."""
    count = _num_rights(kind)
    header = _uapi_header()
    key = (kind, count, header)
    if key in _names_cache:
        return _names_cache[key]
    names = list(_DEFAULT_NAMES[kind])
    if header:
        found = {}
        pattern = re.compile(r"#define\s+%s(\w+)\s+\(1ULL\s*<<\s*(\d+)\)" % _UAPI_PREFIX[kind])
        with open(header, encoding="utf-8", errors="replace") as f:
            for m in pattern.finditer(f.read()):
                found[int(m.group(2))] = m.group(1)
        if found:
            names = [found.get(i, "bit%d" % i) for i in range(max(found) + 1)]
    names = (names + ["bit%d" % i for i in range(len(names), count)])[:count]
    _names_cache[key] = names
    return names


def format_access(mask, kind):
    """"BIND_TCP|CONNECT_TCP" for a mask of `kind`; "-" for none."""
    mask = int(mask)
    if not mask:
        return "-"
    names = access_names(kind)
    out = []
    bit = 0
    while mask >> bit:
        if (mask >> bit) & 1:
            out.append(names[bit] if bit < len(names) else "bit%d" % bit)
        bit += 1
    return "|".join(out)


def _int(value):
    """An int from a gdb.Value that may be a struct wrapping one (refcount_t, atomic_t)."""
    while value.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
        value = value[value.type.strip_typedefs().fields()[0]]
    return int(value)


def _ptr(value):
    return int(value.cast(gdb.lookup_type("unsigned long")))


def _element(array_member, index):
    """Element `index` of a flexible array member, by pointer arithmetic (no bound checks)."""
    elem = array_member.type.strip_typedefs().target()
    return (array_member.address.cast(elem.pointer()) + index).dereference()


def _rb_inorder(root, limit=1 << 20):
    """The nodes of an rb_root, in key order (left, node, right)."""
    stack = []
    node = root["rb_node"]
    seen = 0
    while stack or _ptr(node):
        while _ptr(node):
            stack.append(node)
            node = node["rb_left"]
        node = stack.pop()
        yield node
        seen += 1
        if seen >= limit:
            raise gdb.GdbError("rb-tree at %s: more than %d nodes (corrupted?)" % (root.address, limit))
        node = node["rb_right"]


def _has_field(value, name):
    """Whether the struct (or union member) `value` has a field `name`, anonymous members'
    fields included (gdb reads those through the outer value too)."""
    def search(type_):
        for field in type_.strip_typedefs().fields():
            if field.name == name:
                return True
            if not field.name and field.type.strip_typedefs().code in (
                    gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and search(field.type):
                return True
        return False
    try:
        return search(value.type)
    except (gdb.error, TypeError):
        return False


def _rules_holder(ruleset):
    """Where a ruleset or domain keeps its rb-trees and num_rules: itself (up to Linux 7.2) or its
    `rules` member (struct landlock_rules, Linux 7.3's rulesets and domains)."""
    return ruleset["rules"] if _has_field(ruleset, "rules") else ruleset


def _num_rules(ruleset):
    return int(_rules_holder(ruleset)["num_rules"])


def _num_layers(ruleset):
    """A domain's layers; 0 for a ruleset being built (Linux 7.3's has no num_layers at all)."""
    return int(ruleset["num_layers"]) if _has_field(ruleset, "num_layers") else 0


def _rules(ruleset, tree):
    """The struct landlock_rule values of `tree` ("root_inode" or "root_net_port"), key order."""
    rule_type = _type("struct landlock_rule")
    offset = 0
    for field in rule_type.fields():
        if field.name == "node":
            offset = field.bitpos // 8
    char_p = gdb.lookup_type("char").pointer()
    holder = _rules_holder(ruleset)
    if not _has_field(holder, tree):
        return  # a tree built without CONFIG_INET has no root_net_port
    root = holder[tree]
    for node in _rb_inorder(root):
        yield (node.cast(char_p) - offset).cast(rule_type.pointer()).dereference()


def _ntohs(key):
    key = int(key) & 0xFFFF
    return ((key & 0xFF) << 8) | (key >> 8)


def describe_key(rule, tree=None):
    """"port 443 (key 0xbb01)" for a net-port rule, "object 0x..." for an inode rule."""
    key = int(rule["key"]["data"])
    if tree is None:  # a rule on its own: ports are 16-bit keys, objects are pointers
        tree = "root_net_port" if key <= 0xFFFF else "root_inode"
    if tree == "root_net_port":
        return "port %d (key 0x%04x)" % (_ntohs(key), key)
    return "object 0x%x" % key


def _rule_layers(rule):
    return [_element(rule["layers"], i) for i in range(int(rule["num_layers"]))]


def _layer_access_text(layer, kind):
    """A rule layer's rights by name, " (quiet)" added for a quiet rule (Linux 7.2+: the
    layer's flags.quiet, LANDLOCK_ADD_RULE_QUIET)."""
    text = format_access(layer["access"], kind)
    if _has_field(layer, "flags") and _has_field(layer["flags"], "quiet") and \
            int(layer["flags"]["quiet"]):
        text += " (quiet)"
    return text


def _masks_of(ruleset):
    """The handled access_masks of each layer; a ruleset that is not a domain has one. Up to
    Linux 7.2 both keep a flexible `access_masks[]`; from 7.3 a domain has `handled_masks[]`,
    a ruleset one `handled_masks`."""
    field = "access_masks" if _has_field(ruleset, "access_masks") else "handled_masks"
    masks = ruleset[field]
    if masks.type.strip_typedefs().code != gdb.TYPE_CODE_ARRAY:
        return [masks]
    layers = max(_num_layers(ruleset), 1)
    return [_element(masks, i) for i in range(layers)]


def is_domain(ruleset):
    """A domain (landlock_merge_ruleset's result) has a hierarchy; a ruleset being built (one
    layer, its rules at level 0) does not. From Linux 7.3 a domain is a struct landlock_domain
    and a struct landlock_ruleset never is one (it has no hierarchy)."""
    if ruleset.type.strip_typedefs().tag == "landlock_domain":
        return True
    return _has_field(ruleset, "hierarchy") and _ptr(ruleset["hierarchy"]) != 0


def _struct_name(ruleset):
    """"landlock_ruleset" or "landlock_domain": what the value is, as gdb sees its type."""
    return ruleset.type.strip_typedefs().tag or "landlock_ruleset"


def _level_name(level):
    return "layer %d" % level if level else "unmerged"


def format_access_masks(masks):
    return "fs=%s net=%s scope=%s" % (format_access(masks["fs"], "fs"),
                                     format_access(masks["net"], "net"),
                                     format_access(masks["scope"], "scope"))


def _deref_ruleset(value):
    """A struct landlock_ruleset (or landlock_domain) value from a value or pointer; None for a
    NULL pointer. A pointer of another type (void *, an integer) is taken as a ruleset."""
    if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        if not _ptr(value):
            return None
        if value.type.strip_typedefs().target().strip_typedefs().tag not in (
                "landlock_ruleset", "landlock_domain"):
            value = value.cast(_type("struct landlock_ruleset").pointer())
        value = value.dereference()
    return value


def _domain_pointer_type():
    """The type of landlock_cred_security.domain: struct landlock_ruleset * up to Linux 7.2,
    struct landlock_domain * from 7.3."""
    for field in _type("struct landlock_cred_security").fields():
        if field.name == "domain":
            return field.type
    return _type("struct landlock_ruleset").pointer()


def current_task():
    """The engine's simulated task on the selected thread (struct task_struct *), or None."""
    try:
        # Set by KernelEngine::BeginTask for whichever revision runs the task (two revisions in
        # one binary each have a lockstep_current_task; gdb cannot tell them apart by name).
        task = gdb.parse_and_eval("(struct task_struct *) lockstep_gdb_task")
    except gdb.error:
        try:
            task = gdb.parse_and_eval("lockstep_current_task")
        except gdb.error:
            return None
    return task if _ptr(task) else None


def current_domain():
    """landlock_cred(current->cred)->domain, or None when the task has no domain (or no task)."""
    task = current_task()
    if task is None or not _ptr(task["cred"]):
        return None
    cred = task["cred"]
    try:
        # The running revision's offset (KernelEngine::BeginTask); a binary with two revisions
        # has two landlock_blob_sizes and gdb would pick one by name.
        offset = int(gdb.parse_and_eval("lockstep_gdb_cred_offset"))
    except gdb.error:
        offset = -1
    if offset < 0:
        offset = int(gdb.parse_and_eval("landlock_blob_sizes.lbs_cred"))
    blob = cred["security"].cast(gdb.lookup_type("char").pointer()) + offset
    sec = blob.cast(_type("struct landlock_cred_security").pointer())
    domain = sec["domain"]
    return domain if _ptr(domain) else None


# ---- pretty-printers --------------------------------------------------------------------------

class RulesetPrinter:
    """struct landlock_ruleset: a domain, or a ruleset being built (from landlock_create_ruleset)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        rs = self.val
        layers = _num_layers(rs)
        domain = is_domain(rs)
        what = "domain, %d layer%s" % (layers, "" if layers == 1 else "s") if domain else \
            "ruleset (not a domain: its rules are unmerged, level 0)"
        lines = ["%s %s: %s, num_rules=%d, usage=%d" % (
            _struct_name(rs), rs.address, what, _num_rules(rs), _int(rs["usage"]))]
        for i, masks in enumerate(_masks_of(rs)):
            label = "layer %d" % (i + 1) if domain else "ruleset"
            lines.append("  %s handles %s" % (label, format_access_masks(masks)))
        # Linux 7.2+: a ruleset's quiet_access_* (shown when any is set).
        if _has_field(rs, "quiet_masks") and any(
                int(rs["quiet_masks"][k]) for k in ("fs", "net", "scope")):
            lines.append("  %s quiets %s" % ("ruleset" if not domain else "domain",
                                             format_access_masks(rs["quiet_masks"])))
        for tree, title in (("root_net_port", "net port rules"), ("root_inode", "inode rules")):
            rules = list(_rules(rs, tree))
            if not rules:
                lines.append("  %s: none" % title)
                continue
            lines.append("  %s (%d, in key order):" % (title, len(rules)))
            kind = "net" if tree == "root_net_port" else "fs"
            for rule in rules:
                granted = ", ".join("%s: %s" % (_level_name(int(l["level"])),
                                                _layer_access_text(l, kind))
                                    for l in _rule_layers(rule))
                lines.append("    %-26s %s" % (describe_key(rule, tree), granted))
        return "\n".join(lines)


class RulePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        rule = self.val
        key = describe_key(rule)
        kind = "net" if key.startswith("port") else "fs"
        layers = ", ".join("level %d: %s" % (int(l["level"]), _layer_access_text(l, kind))
                           for l in _rule_layers(rule))
        return "landlock_rule {%s, num_layers=%d: %s}" % (key, int(rule["num_layers"]), layers)


class AccessMasksPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "{%s}" % format_access_masks(self.val)


class IdPrinter:
    """struct landlock_id: the key a rule is looked up by, a port shown in host byte order."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        key = int(self.val["key"]["data"])
        type_ = str(self.val["type"])
        if type_ == "LANDLOCK_KEY_NET_PORT":
            return "{port %d (key 0x%04x), %s}" % (_ntohs(key), key, type_)
        return "{object 0x%x, %s}" % (key, type_)


class LayerPrinter:
    """struct landlock_layer: which kind of right it holds is not known on its own."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        access = int(self.val["access"])
        return "{level=%d, access=0x%x (net: %s; fs: %s)}" % (
            int(self.val["level"]), access, format_access(access, "net"), format_access(access, "fs"))


def _num_layers_hint():
    """How many layers a layer-mask table should show: the domain in sight, else the task's."""
    try:
        frame = gdb.selected_frame()
        for name in ("dom", "domain", "subject"):
            try:
                dom = frame.read_var(name)
                if name == "subject":  # Linux 7.x: the landlock_cred_security checked
                    dom = dom["domain"]
                if _ptr(dom):
                    return _num_layers(dom.dereference())
            except (ValueError, gdb.error, RuntimeError):
                pass
    except gdb.error:
        pass
    try:
        dom = current_domain()
        if dom is not None:
            return _num_layers(dom.dereference())
    except gdb.error:
        pass
    return 0


def format_layer_masks(values, kind, title="", what=None, quiet=0):
    """An access x layer table, one layer bitmask per right (layer_mask_t values: bit l = layer
    l+1 still denies the right): x = this layer still denies the right. `what` names the source
    (default "layer_mask_t[N]"); `quiet`, a layer bitmask, adds a row of the layers that met a
    quiet rule (Linux 7.2+)."""
    masks = [int(v) for v in values]
    names = access_names(kind)
    highest = max([m.bit_length() for m in masks] + [quiet.bit_length(), 1])
    layers = max(_num_layers_hint(), highest)
    labels = [names[i] if i < len(names) else "bit%d" % i for i in range(len(masks))]
    width = max(len(n) for n in labels + ["access \\ layer"])
    if what is None:
        what = "layer_mask_t[%d]" % len(masks)
    lines = ["%s%s (%s rights): x = the layer handles the right and none of its "
             "rules allowed it (yet)" % (title, what, kind),
             "  %-*s" % (width, "access \\ layer") + "".join("%3d" % (l + 1) for l in range(layers))]
    rows = list(zip(labels, masks))
    if quiet:
        rows.append(("(quiet rule)", quiet))
    for name, m in rows:
        lines.append("  %-*s" % (width, name) +
                     "".join("%3s" % ("x" if (m >> l) & 1 else ".") for l in range(layers)))
    return "\n".join(lines)


def _frame_kind():
    """"net" or "fs": what the selected frame decides, from a struct landlock_id `id` or a
    `key_type` in it or, walking out through its callers, the first function of net.c or fs.c;
    None when nothing says."""
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        return None
    for name in ("id", "key_type"):
        try:
            value = frame.read_var(name)
            text = str(value["type"] if name == "id" else value)
        except (ValueError, gdb.error, RuntimeError):
            continue
        if text == "LANDLOCK_KEY_NET_PORT":
            return "net"
        if text == "LANDLOCK_KEY_INODE":
            return "fs"
    depth = 0
    while frame is not None and depth < 8:
        try:
            symtab = frame.find_sal().symtab
            filename = symtab.filename if symtab is not None else ""
        except (gdb.error, RuntimeError):
            filename = ""
        if filename.endswith("security/landlock/net.c"):
            return "net"
        if filename.endswith("security/landlock/fs.c"):
            return "fs"
        frame = frame.older()
        depth += 1
    return None


def _is_layer_masks_struct(type_):
    """Linux 7.x's struct layer_masks: `layers`, one struct layer_mask (a bit-field `access` of
    the rights that layer still denies, and with audit a `quiet` bit) per possible layer."""
    return type_.strip_typedefs().tag == "layer_masks"


def format_layer_masks_struct(val, kind=None, title=""):
    """A struct layer_masks as the same access x layer table (transposed from its per-layer
    rows). The kind comes from the caller, else from the frame (_frame_kind), else from the
    bits: a right beyond the net ones means fs."""
    layers = val["layers"]
    low, high = layers.type.strip_typedefs().range()
    per_layer = [layers[i] for i in range(low, high + 1)]
    access = [int(l["access"]) for l in per_layer]
    quiet = 0
    for i, l in enumerate(per_layer):
        if _has_field(l, "quiet") and int(l["quiet"]):
            quiet |= 1 << i
    if kind is None:
        kind = _frame_kind()
    if kind is None:
        highest = max([a.bit_length() for a in access] + [0])
        kind = "fs" if highest > _num_rights("net") else "net"
    values = []
    for right in range(_num_rights(kind)):
        values.append(sum(1 << i for i, a in enumerate(access) if (a >> right) & 1))
    return format_layer_masks(values, kind, title, what="struct layer_masks", quiet=quiet)


class LayerMasksStructPrinter:
    """struct layer_masks (Linux 7.x)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return format_layer_masks_struct(self.val)


def _kind_for_length(length):
    return "net" if length == _num_rights("net") else "fs"


class LayerMasksPrinter:
    """layer_mask_t[N]: N is LANDLOCK_NUM_ACCESS_NET or LANDLOCK_NUM_ACCESS_FS."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        length = _array_length(self.val.type)
        if length is None:  # layer_mask_t[] (through layer_mask_t (*)[]): the frame may know
            length = _frame_masks_array_size()
        if length is None:
            return "layer_mask_t[] of unknown size: lockstep-masks EXPR net|fs"
        base = self.val.address.cast(_type("layer_mask_t").pointer())
        values = [(base + i).dereference() for i in range(length)]
        return format_layer_masks(values, _kind_for_length(length))


def _array_length(type_):
    """The number of elements of an array type, None for T[] (gdb gives it size 0)."""
    t = type_.strip_typedefs()
    low, high = t.range()
    if t.sizeof == 0 or high < low:
        return None
    return high - low + 1


def _frame_masks_array_size():
    """How long the selected frame's layer_mask_t[] is: landlock_unmask_layers' masks_array_size,
    or landlock_init_layer_masks' key_type; None elsewhere."""
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        return None
    try:
        return int(frame.read_var("masks_array_size"))
    except (ValueError, gdb.error, RuntimeError):
        pass
    try:
        key_type = str(frame.read_var("key_type"))
    except (ValueError, gdb.error, RuntimeError):
        return None
    if key_type == "LANDLOCK_KEY_NET_PORT":
        return _num_rights("net")
    if key_type == "LANDLOCK_KEY_INODE":
        return _num_rights("fs")
    return None


def _is_layer_mask_array(type_):
    t = type_.strip_typedefs()
    if t.code != gdb.TYPE_CODE_ARRAY:
        return False
    return t.target().name == "layer_mask_t"


def _lookup(val):
    type_ = val.type
    try:
        if _is_layer_mask_array(type_):
            return LayerMasksPrinter(val)
    except (gdb.error, RuntimeError):
        pass
    tag = type_.strip_typedefs().tag
    if tag in ("landlock_ruleset", "landlock_domain"):
        return RulesetPrinter(val)
    if tag == "layer_masks":
        return LayerMasksStructPrinter(val)
    if tag == "landlock_rule":
        return RulePrinter(val)
    if tag == "access_masks":
        return AccessMasksPrinter(val)
    if tag == "landlock_layer":
        return LayerPrinter(val)
    if tag == "landlock_id":
        return IdPrinter(val)
    return None


class _Printers(gdb.printing.PrettyPrinter):
    """One entry in `info pretty-printer`: the lookup covers structs and layer_mask_t arrays."""

    def __init__(self):
        super().__init__("lockstep", [])
        self.subprinters = [gdb.printing.SubPrettyPrinter(n) for n in (
            "struct landlock_ruleset", "struct landlock_domain", "struct landlock_rule",
            "struct access_masks", "struct landlock_layer", "struct landlock_id",
            "layer_mask_t[N]", "struct layer_masks")]

    def __call__(self, val):
        if not self.enabled:
            return None
        return _lookup(val)


# ---- commands ---------------------------------------------------------------------------------

def _socket_text(sock):
    sk = sock["sk"]
    family, type_, proto = int(sk["sk_family"]), int(sk["sk_type"]), int(sk["sk_protocol"])
    words = [_FAMILIES.get(family, "family%d" % family), _TYPES.get(type_, "type%d" % type_)]
    protocol = _PROTOCOLS.get(proto, "protocol%d" % proto)
    if protocol:
        words.append(protocol)
    return "socket %s (struct socket *) %s" % (" ".join(words), sock)


def _static_addresses(name):
    """Every address of a file-local `name`: each kernel revision in the binary has its own."""
    found = set()
    try:
        syms = list(gdb.lookup_static_symbols(name))
        glob = gdb.lookup_global_symbol(name)
        if glob is not None:
            syms.append(glob)
        for sym in syms:
            found.add(_ptr(sym.value().address))
    except gdb.error:
        pass
    return found


class TaskCommand(gdb.Command):
    """lockstep-task: the engine's simulated task (the `current` of the kernel code).

Shows its fds (each a ruleset, with its pointer and handled rights, or a socket with family,
type and protocol), no_new_privs, CAP_SYS_ADMIN, the op being run (lockstep_current_op) and
the task's Landlock domain, printed in full."""

    def __init__(self):
        super().__init__("lockstep-task", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        task = current_task()
        if task is None:
            raise gdb.GdbError("no simulated task on this thread (lockstep_current_task is NULL): "
                               "stop inside an op first, e.g. lockstep-break N")
        cred = task["cred"]
        nnp = int(task["atomic_flags"]) & 1
        try:
            sys_admin = (int(cred["cap_effective"]) >> 21) & 1
        except gdb.error:
            sys_admin = "?"
        try:
            op = int(gdb.parse_and_eval("lockstep_current_op"))
        except gdb.error:
            op = "?"
        out = ["task (struct task_struct *) %s: op %s, no_new_privs=%d, CAP_SYS_ADMIN=%s, "
               "cred %s" % (task, op, nnp, sys_admin, cred)]
        ruleset_fops = _static_addresses("ruleset_fops")
        socket_fops = _static_addresses("socket_file_ops")
        table = task["files"]["fd"]
        low, high = table.type.strip_typedefs().range()
        rows = []
        for fd in range(low, high + 1):
            f = table[fd]
            if not _ptr(f):
                continue
            fop = _ptr(f["f_op"])
            data = f["private_data"]
            if fop in ruleset_fops:
                rs = data.cast(_type("struct landlock_ruleset").pointer())
                masks = _masks_of(rs.dereference())
                num_rules = _num_rules(rs.dereference())
                what = "ruleset (struct landlock_ruleset *) %s: handles %s, %d rule%s" % (
                    rs, format_access_masks(masks[0]), num_rules, "" if num_rules == 1 else "s")
            elif fop in socket_fops:
                what = _socket_text(data.cast(_type("struct socket").pointer()))
            else:
                what = "file %s, f_op %s" % (f, f["f_op"])
            rows.append("  fd %-3d %s" % (fd, what))
        out.append("fds:" if rows else "fds: none")
        out.extend(rows)
        domain = current_domain()
        if domain is None:
            out.append("domain: none (the task is not Landlocked)")
        else:
            out.append("domain (%s) %s:" % (domain.type, domain))
            out.extend("  " + l for l in RulesetPrinter(domain.dereference()).to_string().split("\n"))
        gdb.write("\n".join(out) + "\n")


class RulesCommand(gdb.Command):
    """lockstep-rules [EXPR]: a domain's (or ruleset's) rules as a rule x layer table.

EXPR is a struct landlock_ruleset or a pointer to one; default: the current task's domain,
landlock_cred(current->cred)->domain. Rules are listed in rb-tree (key) order: for net ports
that is the order of the big-endian keys, shown next to the port in host byte order."""

    def __init__(self):
        super().__init__("lockstep-rules", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        if arg.strip():
            rs = _deref_ruleset(gdb.parse_and_eval(arg))
            if rs is None:
                raise gdb.GdbError("%s is NULL" % arg)
            title = "%s" % arg.strip()
        else:
            dom = current_domain()
            if dom is None:
                raise gdb.GdbError("the current task has no domain (not Landlocked); "
                                   "name a ruleset: lockstep-rules EXPR")
            rs = dom.dereference()
            title = "landlock_cred(current->cred)->domain"
        num_layers = _num_layers(rs)
        layers = max(num_layers, 1)
        domain = is_domain(rs)
        out = ["%s (struct %s *) %s: %s, %d rules" % (
            title, _struct_name(rs), rs.address,
            "domain, %d layer%s" % (num_layers, "" if num_layers == 1 else "s") if domain
            else "ruleset (not a domain)", _num_rules(rs))]
        for tree, kind, title in (("root_net_port", "net", "net port"),
                                  ("root_inode", "fs", "inode")):
            rules = list(_rules(rs, tree))
            if not rules:
                out.append("  %s rules: none" % title)
                continue
            cells = []
            for rule in rules:
                row = ["-"] * layers
                for l in _rule_layers(rule):
                    level = int(l["level"])
                    if not domain and level == 0:
                        row[0] = _layer_access_text(l, kind)
                    elif 1 <= level <= layers:
                        row[level - 1] = _layer_access_text(l, kind)
                    else:
                        row.append("level %d?: %s" % (level, _layer_access_text(l, kind)))
                if tree == "root_net_port":
                    key = int(rule["key"]["data"])
                    head = ["%d" % _ntohs(key), "0x%04x" % key]
                else:
                    head = ["0x%x" % int(rule["key"]["data"]), ""]
                cells.append(head + row)
            heads = ["port" if kind == "net" else "object", "key" if kind == "net" else ""] + \
                (["layer %d" % (i + 1) for i in range(layers)] if domain else ["unmerged"])
            widths = [max(len(r[i]) if i < len(r) else 0 for r in cells + [heads])
                      for i in range(len(heads))]
            out.append("  %s rules (%d, in key order):" % (title, len(rules)))
            for r in [heads] + cells:
                out.append(("    " + "  ".join("%-*s" % (widths[i] if i < len(widths) else 0, c)
                                                 for i, c in enumerate(r))).rstrip())
        gdb.write("\n".join(out) + "\n")


class MasksCommand(gdb.Command):
    """lockstep-masks EXPR [net|fs]: layer masks as an access x layer table.

EXPR is a layer_mask_t array or a pointer to one (up to Linux 6.x: landlock_unmask_layers'
`layer_masks` is a layer_mask_t (*)[]), or Linux 7.x's struct layer_masks or a pointer to one
(landlock_unmask_layers' `masks`). For layer_mask_t[] the kind defaults from the array's length,
else from the frame's masks_array_size, else net; for struct layer_masks from the frame's
landlock_id or its file (net.c, fs.c), else from the bits. `x` marks a layer that handles the right and has not (yet) been
satisfied by a rule: the access is allowed once a right's row is empty."""

    def __init__(self):
        super().__init__("lockstep-masks", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words:
            raise gdb.GdbError("usage: lockstep-masks EXPR [net|fs]")
        kind = None
        if words[-1] in ("net", "fs"):
            kind = words.pop()
        expr = " ".join(words)
        val = gdb.parse_and_eval(expr)
        t = val.type.strip_typedefs()
        if t.code == gdb.TYPE_CODE_PTR:
            val = val.dereference()
            t = val.type.strip_typedefs()
        if _is_layer_masks_struct(t):
            gdb.write(format_layer_masks_struct(val, kind, "%s: " % expr) + "\n")
            return
        length = _array_length(t) if t.code == gdb.TYPE_CODE_ARRAY else None
        if length is None and kind is None:
            length = _frame_masks_array_size()
        if kind is None:
            kind = _kind_for_length(length) if length is not None else "net"
        if length is None:
            length = _num_rights(kind)
        base = val.address.cast(_type("layer_mask_t").pointer())
        values = [(base + i).dereference() for i in range(length)]
        gdb.write(format_layer_masks(values, kind, "%s: " % expr) + "\n")


class BreakCommand(gdb.Command):
    """lockstep-break N [KIND]: stop in the kernel function that decides op N (1-based).

KIND is the op's kind (connect, open, rename, ...: `lockstep-op-kinds` lists them with their
functions, which come from the binary: engine/ops.h LOCKSTEP_OPS); without it every
such function gets a breakpoint. Each breakpoint has the
condition `lockstep_current_op == N` (scenario/runner.cc sets it before each op), so it stops in
op N only. ./lockstep gdb runs this for you."""

    def __init__(self):
        super().__init__("lockstep-break", gdb.COMMAND_BREAKPOINTS)
        self.watch = []

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words or not words[0].isdigit() or len(words) > 2:
            raise gdb.GdbError("usage: lockstep-break N [KIND]")
        op = int(words[0])
        table = break_functions()
        if len(words) == 2:
            if words[1] not in table:
                raise gdb.GdbError("unknown op kind %s (known: %s)" %
                                   (words[1], ", ".join(table)))
            functions = table[words[1]]
        else:
            functions = sorted({f for fs in table.values() for f in fs})
        created = []
        for function in functions:
            bp = gdb.Breakpoint(function, internal=False)
            bp.condition = "lockstep_current_op == %d" % op
            created.append(bp)
        self.watch = [(op, created)]
        gdb.write("lockstep: op %d stops in %s (condition lockstep_current_op == %d)\n" %
                  (op, ", ".join(functions), op))

    def on_exit(self, event):
        for op, bps in self.watch:
            try:
                if bps and all(bp.is_valid() and bp.hit_count == 0 for bp in bps):
                    gdb.write("lockstep: op %d never reached %s: it returned before the kernel's "
                              "check (a bad fd, a non-socket, sendto without MSG_FASTOPEN ...)\n"
                              % (op, ", ".join(sorted({bp.location for bp in bps}))))
            except RuntimeError:
                pass


class OpKindsCommand(gdb.Command):
    """lockstep-op-kinds: every op kind and the functions lockstep-break stops in for it.

Each function is marked "missing" when the binary has none of that name (a revision without that
hook, e.g. hook_file_ioctl before Linux 6.10, or a name that went stale)."""

    def __init__(self):
        super().__init__("lockstep-op-kinds", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        for kind, functions in break_functions().items():
            marked = ["%s%s" % (f, "" if _function_in_binary(f) else " (missing)")
                      for f in functions]
            gdb.write("  %-15s %s\n" % (kind, ", ".join(marked) if marked else "(none)"))


class DomainFunction(gdb.Function):
    """$lockstep_domain(): the current task's domain (struct landlock_ruleset *, from Linux 7.3
    struct landlock_domain *), 0 when none."""

    def __init__(self):
        super().__init__("lockstep_domain")

    def invoke(self):
        dom = current_domain()
        if dom is None:
            return gdb.Value(0).cast(_domain_pointer_type())
        return dom


def _register(objfile):
    gdb.printing.register_pretty_printer(objfile, _Printers(), replace=True)
    TaskCommand()
    RulesCommand()
    MasksCommand()
    breaker = BreakCommand()
    OpKindsCommand()
    DomainFunction()
    # One exit handler however often this file is loaded (one objfile each, or `source` again).
    previous = getattr(gdb, "_lockstep_exit_handler", None)
    if previous is not None:
        try:
            gdb.events.exited.disconnect(previous)
        except (ValueError, RuntimeError):
            pass
    gdb._lockstep_exit_handler = breaker.on_exit
    gdb.events.exited.connect(breaker.on_exit)


_register(gdb.current_objfile())
