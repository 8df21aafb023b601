#!/usr/bin/env python3
"""Checks a kernel tree for lockstep and extracts its Landlock subset.

  kernel_tree.py check PATH [--generations=6.12,6.1]
        exit 0 and print "PATH: Linux 6.12.117 ..." if usable by one of the adapter generations
  kernel_tree.py extract PATH DEST [--generations=...]
        put the Landlock subset of PATH into DEST, plus tree_info.h, tree_info.txt and
        generation.bzl (GENERATION = "6.12") describing it
  kernel_tree.py generation PATH [--generations=...]
        print the tree's generation ("7", "6.12", "6.1"), checked as `check` does (any known
        generation unless --generations says otherwise)
  kernel_tree.py default [--b-of=PATH | --lts]
        print the tree lockstep uses when none is named (DEFAULT_TREE); with --b-of, revision B
        for a tree A (the revision before it in A's generation, DEFAULT_TREE_B); with --lts, the
        long-term tree `./lockstep test` also covers (LTS_TREE). The one place they are written.

PATH is a kernel checkout (directory), a source tarball (.tar.xz, .tar.gz, .tgz, .tar), or
`debian:VERSION` for a Debian linux-source package fetched with apt-get download (checked by apt
against the signed archive) into the cache: debian:6.12.107, debian:6.1 (the newest 6.1),
debian:linux-source-6.12=6.12.107-1~deb12u1. linux-source-6.x comes through the machine's own
apt; linux-source-7.x (debian:7.3, debian:7.2, debian:7.3.4, debian:linux-source-7.3=VERSION)
from the sid and trixie-backports suites of the machine's Debian mirror, through a private apt
configuration in ~/.cache/lockstep/apt (see "Debian's archive" below). A version the archive no
longer serves is one line naming what it serves now.

Generations (--generations, default 6.12): the Landlock internal API an adapter speaks.
  7     landlock_get_applicable_subject and tsync.c (Linux 7.0+; seen: 7.2.13, 7.3.4)
  6.12  struct landlock_id, one rb-tree per key type, net.c (Linux 6.7 to 6.14)
  6.1   object-keyed rules, one tree, no network rules (Linux 5.13 to 6.6)
Every error is ONE line on stderr starting with "lockstep: kernel tree ", exit status 2
(usage errors: exit status 1).

The subset is what the engine compiles, never copied into the repository:
  security/landlock/**, lib/rbtree.c, include/linux/rbtree*.h, include/uapi/linux/landlock.h,
  include/linux/landlock.h and include/trace/events/landlock.h where the tree has them (7.3),
  Makefile (for VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION); and, outside the fingerprint, the
  tree's Landlock selftests with the kselftest headers and the uapi landlock.h and audit.h they
  include (selftest_uapi/linux/; ./lockstep selftests).
Directories are mirrored with symlinks to the original files, so edits in a checkout reach the
build. A tarball's subset is extracted once (about 5-10 s) and cached under
$LOCKSTEP_CACHE_DIR (default ~/.cache/lockstep/kernel_trees), keyed by path, size, mtime and
the subset's patterns.

Standard library only: called by the @kernel_tree repository rule and by ./lockstep.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# Adapter generations, newest first; see the module docstring.
KNOWN_GENERATIONS = ("7", "6.12", "6.1")
# The trees used when none is named (bazel/kernel_tree.bzl, ./lockstep, tools/mutants.py ask
# `kernel_tree.py default`): the newest generation, the one Landlock is developed on ...
DEFAULT_TREE = "debian:7.3"
# ... revision B of the revision diffs and A/B benchmarks, by A's generation: the revision before
# A in the same generation, so B has A's ABI to compare (6.12.107 has no 7.x ABI 7-11) ...
DEFAULT_TREE_B = {"7": "debian:7.2", "6.12": "debian:6.12.107"}
# ... and the long-term tree distributions ship for years, which `./lockstep test` covers too
# (installed by tools/setup.sh, so it needs no download).
LTS_TREE = "/usr/src/linux-source-6.12.tar.xz"
# Generations recognised, with what marks them, that no adapter speaks yet: check and extract
# name them (with the tree's version and fingerprint) and refuse.
GENERATIONS_WITHOUT_ADAPTER = {}
REQUIRED_FILES = [
    "lib/rbtree.c",
    "include/linux/rbtree.h",
    "include/uapi/linux/landlock.h",
    "security/landlock/ruleset.c",
    "security/landlock/ruleset.h",
    "security/landlock/object.c",
    "security/landlock/cred.c",
    "security/landlock/syscalls.c",
]
TARBALL_SUFFIXES = {
    ".tar.xz": "xz -T0",
    ".txz": "xz -T0",
    ".tar.gz": "gzip",
    ".tgz": "gzip",
    ".tar": None,
}
# Patterns relative to the tree's top directory (tar --wildcards --no-wildcards-match-slash; a
# directory pattern brings its whole subtree).
SUBSET_PATTERNS = [
    "Makefile",
    "security/landlock",
    "lib/rbtree.c",
    "include/linux/rbtree*.h",
    "include/uapi/linux/landlock.h",
    # Landlock's own headers outside security/landlock (7.3: access right names shared with the
    # tracepoints; the tracepoint definitions). Absent from 6.1 to 7.2, so their fingerprints
    # are unchanged.
    "include/linux/landlock.h",
    "include/trace/events/landlock.h",
] + [
    # The tree's Landlock selftests and what they include from outside their directory
    # (./lockstep selftests, selftests/BUILD.bazel): SELFTEST_FILES.
    "tools/testing/selftests/landlock",
    "tools/testing/selftests/kselftest_harness.h",
    "tools/testing/selftests/kselftest.h",
    "include/uapi/linux/audit.h",
]


class TreeError(Exception):
    """One-line, user-facing error about a kernel tree."""

    def __init__(self, path, message):
        super().__init__("lockstep: kernel tree %s %s" % (path, message))


# --- facts about a tree on disk ---------------------------------------------------------------------


def read_version(tree):
    """Returns (VERSION, PATCHLEVEL, SUBLEVEL, EXTRAVERSION) from tree/Makefile, or None."""
    try:
        with open(os.path.join(tree, "Makefile"), encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return None
    fields = {}
    for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"):
        m = re.search(r"^%s\s*=[ \t]*(\S*)[ \t]*$" % key, head, re.M)
        if m:
            fields[key] = m.group(1)
    try:
        return (int(fields["VERSION"]), int(fields["PATCHLEVEL"]), int(fields["SUBLEVEL"]),
                fields.get("EXTRAVERSION", ""))
    except (KeyError, ValueError):
        return None


def version_string(v):
    return "%d.%d.%d%s" % v


def version_code(v):
    return (v[0] << 16) | (v[1] << 8) | min(v[2], 255)


def read_text(tree, rel):
    try:
        with open(os.path.join(tree, rel), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def landlock_headers_text(tree):
    d = os.path.join(tree, "security/landlock")
    return "".join(read_text(tree, os.path.join("security/landlock", n))
                   for n in sorted(os.listdir(d)) if n.endswith(".h"))


def detect_generation(tree, shown, linux):
    """The generation of the tree's Landlock internals, or a TreeError naming what is missing.

    An adapter generation (KNOWN_GENERATIONS) or one recognised without an adapter yet
    (GENERATIONS_WITHOUT_ADAPTER: "7")."""
    headers = landlock_headers_text(tree)
    if re.search(r"\blandlock_get_applicable_subject\b|\bstruct layer_access_masks\b", headers):
        if os.path.isfile(os.path.join(tree, "security/landlock/tsync.c")):
            return "7"
        raise TreeError(shown, "is %s: its Landlock uses landlock_get_applicable_subject "
                        "(Linux 6.15+), which no adapter supports yet (adapters: %s)"
                        % (linux, ", ".join(KNOWN_GENERATIONS)))
    if re.search(r"^struct landlock_id\s*\{", headers, re.M):
        return "6.12"
    if re.search(r"landlock_insert_rule\([^)]*struct landlock_object", headers, re.S):
        return "6.1"
    raise TreeError(shown, "is %s: its Landlock matches no adapter generation (no struct "
                    "landlock_id, no object-keyed landlock_insert_rule)" % linux)


def check_tree(tree, shown, generations=("6.12",)):
    """Checks an unpacked tree; `shown` is the path named in errors.

    Returns (version tuple, generation).
    """
    v = read_version(tree)
    if v is None:
        raise TreeError(shown, "is not a kernel tree: no Makefile with VERSION/PATCHLEVEL/SUBLEVEL")
    linux = "Linux " + version_string(v)
    wanted = " or ".join(generations)
    if not os.path.isdir(os.path.join(tree, "security/landlock")):
        if (v[0], v[1]) < (5, 13):
            raise TreeError(shown, "is %s: it has no Landlock (security/landlock, Linux 5.13+); "
                            "the %s engine cannot use it" % (linux, wanted))
        raise TreeError(shown, "is not a kernel tree: %s without security/landlock" % linux)
    for rel in REQUIRED_FILES:
        if not os.path.isfile(os.path.join(tree, rel)):
            raise TreeError(shown, "is not a complete kernel tree: %s has no %s" % (linux, rel))
    has_net = os.path.isfile(os.path.join(tree, "security/landlock/net.c"))
    if "6.1" not in generations:
        # Only network-capable adapters will do: say what is missing for them first.
        if not has_net:
            raise TreeError(shown, "is %s: its Landlock has no network rules "
                            "(security/landlock/net.c, Linux 6.7+); the %s engine cannot use it"
                            % (linux, wanted))
        if not re.search(r"^struct landlock_id\s*\{",
                         read_text(tree, "security/landlock/ruleset.h"), re.M):
            raise TreeError(shown, "is %s: its Landlock has no struct landlock_id "
                            "(security/landlock/ruleset.h, Linux 6.7+); the %s engine cannot use "
                            "it" % (linux, wanted))
    generation = detect_generation(tree, shown, linux)
    if generation in GENERATIONS_WITHOUT_ADAPTER:
        raise TreeError(shown, "is %s (fingerprint %s): its Landlock is of the %s generation (%s), "
                        "which no adapter supports yet (adapters: %s)"
                        % (linux, fingerprint(tree), generation,
                           GENERATIONS_WITHOUT_ADAPTER[generation], ", ".join(KNOWN_GENERATIONS)))
    if generation not in generations:
        raise TreeError(shown, "is %s: its Landlock is of the %s generation; the %s engine "
                        "cannot use it" % (linux, generation, wanted))
    return v, generation


# --- tarballs ---------------------------------------------------------------------------------------


def tarball_filter(path):
    for suffix, prog in TARBALL_SUFFIXES.items():
        if path.endswith(suffix):
            return True, prog
    return False, None


def tar_cmd(path, prog):
    cmd = ["tar", "-f", path]
    if prog:
        cmd += ["-I", prog]
    return cmd


def top_prefix(path, prog):
    """The tarball's top directory ('linux-source-6.12/'), or '' if members have none."""
    proc = subprocess.Popen(tar_cmd(path, prog) + ["-t"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    first = proc.stdout.readline().strip()
    proc.kill()
    proc.wait()
    parts = [p for p in first.split("/") if p not in ("", ".")]
    lead = "./" if first.startswith("./") else ""
    if not parts:
        return lead
    # "linux-6.12/" or "linux-6.12/.clang-format": a top directory. A lone file name: none.
    if first.rstrip("/") != first or len(parts) > 1:
        return lead + parts[0] + "/"
    return lead


def extract_tarball(path, prog, dest):
    """Extracts the subset into dest (must exist). Returns True if a Makefile came out."""
    for prefix in dict.fromkeys([top_prefix(path, prog), ""]):
        strip = len([p for p in prefix.split("/") if p not in ("", ".")])
        cmd = tar_cmd(path, prog) + ["-x", "-C", dest, "--strip-components=%d" % strip,
                                     "--wildcards", "--no-wildcards-match-slash"]
        cmd += [prefix + p for p in SUBSET_PATTERNS]
        # tar exits 2 when a pattern matches nothing; check_tree judges the result instead.
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if os.path.isfile(os.path.join(dest, "Makefile")):
            return True
    return False


def cache_root():
    root = os.environ.get("LOCKSTEP_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "lockstep")
    return os.path.join(root, "kernel_trees")


def unpacked_tarball(path, prog):
    """Returns a directory holding the tarball's subset, extracting it once per (path, size, mtime,
    subset)."""
    st = os.stat(path)
    # The subset's patterns are part of the key: a subset that grew is extracted anew.
    key = hashlib.sha256(("%s\0%d\0%d\0%s" % (path, st.st_size, st.st_mtime_ns,
                                               "\0".join(SUBSET_PATTERNS))).encode()).hexdigest()
    root = cache_root()
    cached = os.path.join(root, key[:24])
    if os.path.isfile(os.path.join(cached, ".complete")):
        return cached
    try:
        os.makedirs(root, exist_ok=True)
        work = tempfile.mkdtemp(prefix=".extract-", dir=root)
    except OSError:
        root = None  # cache not writable: extract to a temporary directory each time
        work = tempfile.mkdtemp(prefix="lockstep-kernel-tree-")
    if not extract_tarball(path, prog, work):
        shutil.rmtree(work, ignore_errors=True)
        raise TreeError(path, "is not a kernel tree: no Makefile at the top of the tarball")
    open(os.path.join(work, ".complete"), "w").close()
    if root is None:
        return work
    try:
        os.rename(work, cached)
    except OSError:  # another process got there first
        shutil.rmtree(work, ignore_errors=True)
    return cached


# --- origin -----------------------------------------------------------------------------------------


def run_text(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def debian_package(path):
    """('linux-source-6.12', '6.12.117-1~deb12u1') if dpkg owns path, else None."""
    owner = run_text(["dpkg-query", "-S", path])
    if not owner or ":" not in owner:
        return None
    pkg = owner.split(":", 1)[0].split(",")[0].strip()
    version = run_text(["dpkg-query", "-W", "-f=${Version}", pkg])
    return (pkg, version) if version else None


def origin_of(path):
    if path.startswith("debian:"):
        return debian_tarball(path)[1]
    if os.path.isdir(path):
        describe = None
        if run_text(["git", "-C", path, "rev-parse", "--is-inside-work-tree"]) == "true":
            describe = run_text(["git", "-C", path, "describe", "--always", "--dirty"])
        return "%s (git %s)" % (path, describe) if describe else path
    deb = debian_package(path)
    if deb:
        return "Debian %s %s (%s)" % (deb[0], deb[1], path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "%s (sha256 %s)" % (path, h.hexdigest()[:16])


# --- Debian's archive -------------------------------------------------------------------------------
#
# linux-source-6.x (6.12 in bookworm-security, 6.1 in bookworm) comes through the machine's own apt
# configuration like any package. linux-source-7.x is not in bookworm: it comes from the suites
# PRIVATE_SUITES of the Debian mirror the machine's apt sources already name, through a private apt
# configuration under the cache (its own sources list, sourceparts, lists and cache directories,
# given to apt-get with -o), so the machine's apt sources are never edited. apt verifies those
# suites' signed Release files against the Debian archive keyring as for any source; nothing here
# turns a check off.

# linux-source-MAJOR.MINOR from this MAJOR on comes through the private configuration.
PRIVATE_APT_FROM_MAJOR = 7
# 7.2 is in unstable (older 7.2 point releases in backports too), 7.3 in trixie-backports.
PRIVATE_SUITES = ("sid", "trixie-backports")
PRIVATE_COMPONENT = "main"
ARCHIVE_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"  # package debian-archive-keyring
PRIVATE_LISTS_MAX_AGE = 24 * 3600  # seconds: a newest-version spec refreshes older lists first
# Suites of Debian's main archive (not -security, not another vendor's): where the mirror is found.
DEBIAN_SUITE = re.compile(r"(?:buster|bullseye|bookworm|trixie|forky|duke|sid|oldoldstable|"
                          r"oldstable|stable|testing|unstable)"
                          r"(?:-updates|-backports|-backports-sloppy|-proposed-updates)?")
MIRROR_ENV = "LOCKSTEP_DEBIAN_MIRROR"  # overrides the mirror found in the machine's apt sources


def parse_sources_list(text):
    """Entries of a one-line-style sources.list ("deb [opts] URI SUITE COMPONENT..."), as dicts
    with types, uris, suites, components and options (a dict)."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"(\S+)\s+(?:\[([^\]]*)\]\s*)?(\S+)\s+(\S+)(?:\s+(.*))?", line)
        if not m:
            continue
        options = dict(o.split("=", 1) for o in (m.group(2) or "").split() if "=" in o)
        entries.append({"types": [m.group(1)], "uris": [m.group(3)], "suites": [m.group(4)],
                        "components": (m.group(5) or "").split(), "options": options})
    return entries


def parse_deb822_sources(text):
    """Entries of a deb822 .sources file (stanzas of Types/URIs/Suites/Components, Enabled: no
    skips one), in the same form as parse_sources_list's."""
    entries = []
    for stanza in re.split(r"\n[ \t]*\n", text):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t"):  # a continuation line (e.g. an inline Signed-By key)
                if key:
                    fields[key] += "\n" + line.strip()
                continue
            if ":" in line:
                key, value = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if not fields or fields.get("enabled", "yes").lower() in ("no", "false", "0"):
            continue
        entries.append({"types": fields.get("types", "").split(),
                        "uris": fields.get("uris", "").split(),
                        "suites": fields.get("suites", "").split(),
                        "components": fields.get("components", "").split(),
                        "options": {k: v for k, v in fields.items()
                                    if k not in ("types", "uris", "suites", "components")}})
    return entries


def machine_apt_sources(sourcelist=None, sourceparts=None):
    """[(file, entries)] of the machine's apt sources, in apt's order: Dir::Etc::sourcelist, then
    Dir::Etc::sourceparts' *.list and *.sources files by name (both asked of apt-config unless
    given)."""
    found = {"SL": "/etc/apt/sources.list", "SP": "/etc/apt/sources.list.d"}
    if sourcelist is None or sourceparts is None:
        shell = run_text(["apt-config", "shell", "SL", "Dir::Etc::sourcelist/f",
                          "SP", "Dir::Etc::sourceparts/d"]) or ""
        for line in shell.splitlines():
            m = re.fullmatch(r"(SL|SP)='(.*)'", line.strip())
            if m:
                found[m.group(1)] = m.group(2)
    found["SL"] = sourcelist if sourcelist is not None else found["SL"]
    found["SP"] = sourceparts if sourceparts is not None else found["SP"]
    files = [found["SL"]]
    try:
        files += [os.path.join(found["SP"], n) for n in sorted(os.listdir(found["SP"]))
                  if n.endswith((".list", ".sources"))]
    except OSError:
        pass
    result = []
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        parse = parse_deb822_sources if path.endswith(".sources") else parse_sources_list
        result.append((path, parse(text)))
    return result


def debian_mirror(sources):
    """The first URI of a `deb` source for a suite of Debian's main archive, without a trailing
    slash; None if the sources have none. `sources` is machine_apt_sources()'s form."""
    for _, entries in sources:
        for e in entries:
            if "deb" not in e["types"] or not e["uris"]:
                continue
            if any(DEBIAN_SUITE.fullmatch(s) for s in e["suites"]):
                return e["uris"][0].rstrip("/")
    return None


def native_architecture():
    return run_text(["dpkg", "--print-architecture"]) or "amd64"


def private_apt_dir():
    """~/.cache/lockstep/apt (beside kernel_trees/ and debian/)."""
    return os.path.join(os.path.dirname(cache_root()), "apt")


def private_sources_text(mirror, arch, keyring=ARCHIVE_KEYRING):
    """The private sources.list: PRIVATE_SUITES of `mirror`, the native architecture's package
    lists (they list the architecture-independent linux-source packages too), signed by
    `keyring`."""
    return "".join("deb [arch=%s signed-by=%s] %s %s %s\n"
                   % (arch, keyring, mirror, suite, PRIVATE_COMPONENT) for suite in PRIVATE_SUITES)


def private_apt_options(apt_dir):
    """apt's -o options that make it read only the private configuration's sources and keep its
    lists and caches apart from the machine's. Everything else (proxies, the signature checks)
    stays as the machine's apt configuration has it."""
    return [
        "-o", "Dir::Etc::sourcelist=" + os.path.join(apt_dir, "sources.list"),
        "-o", "Dir::Etc::sourceparts=" + os.path.join(apt_dir, "sources.list.d"),
        "-o", "Dir::State::Lists=" + os.path.join(apt_dir, "lists"),
        "-o", "Dir::Cache=" + os.path.join(apt_dir, "cache"),
        # No installed packages: the private lists are only looked up, never installed from.
        "-o", "Dir::State::status=/dev/null",
        "-o", "Acquire::Languages=none",
    ]


class PrivateApt:
    """apt-get/apt-cache under the private configuration in `apt_dir`. `run` is subprocess.run
    (replaced in tests)."""

    def __init__(self, spec, apt_dir, mirror, arch, keyring=ARCHIVE_KEYRING, run=subprocess.run):
        self.spec, self.dir, self.mirror, self.arch = spec, apt_dir, mirror, arch
        self.keyring, self.run = keyring, run
        self.lists = os.path.join(apt_dir, "lists")
        self.stamp = os.path.join(self.lists, ".lockstep-updated")

    def command(self, program, *args):
        return [program] + private_apt_options(self.dir) + list(args)

    def prepare(self):
        """Writes the configuration; True if the lists must be (re)fetched before use."""
        if not os.path.isfile(self.keyring):
            raise TreeError(self.spec, "cannot be fetched: no Debian archive keyring at %s "
                            "(apt-get install debian-archive-keyring)" % self.keyring)
        for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        text = private_sources_text(self.mirror, self.arch, self.keyring)
        path = os.path.join(self.dir, "sources.list")
        if read_text(self.dir, "sources.list") != text:
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(path + ".tmp", path)
            if os.path.exists(self.stamp):
                os.remove(self.stamp)
        return not os.path.isfile(self.stamp)

    def lists_age(self):
        try:
            return max(0.0, time.time() - os.stat(self.stamp).st_mtime)
        except OSError:
            return None

    def update(self, required):
        """apt-get update. A failure raises a one-line error when `required` (no usable lists) or
        when the archive's signature cannot be verified; otherwise the old lists are used."""
        out = self.run(self.command("apt-get", "update", "-q"), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
        err = out.stderr or ""
        m = re.search(r"NO_PUBKEY ([0-9A-F]+)", err)
        if m:
            raise TreeError(self.spec, "cannot be fetched: %s's signatures are by key %s, which "
                            "the keyring %s lacks (install a newer debian-archive-keyring, e.g. "
                            "from bookworm-updates or bookworm-backports)"
                            % (" and ".join(PRIVATE_SUITES), m.group(1), self.keyring))
        failed = out.returncode != 0 or re.search(r"^(E:|Err:)", err, re.M)
        if not failed:
            open(self.stamp, "w").close()
            return
        if required:
            last = [l for l in err.strip().splitlines() if l.startswith(("E:", "Err:"))] or \
                err.strip().splitlines() or ["exit status %d" % out.returncode]
            raise TreeError(self.spec, "cannot be fetched: apt-get update of %s %s failed: %s"
                            % (self.mirror, " ".join(PRIVATE_SUITES), last[-1].strip()))

    def madison(self, pkg):
        """[(version, suite)] the lists hold for pkg, newest first."""
        out = self.run(self.command("apt-cache", "madison", pkg), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
        listed = []
        for line in (out.stdout or "").splitlines():
            cols = [c.strip() for c in line.split("|")]
            if len(cols) >= 3 and cols[0] == pkg:
                where = cols[2].split()
                suite = where[1].split("/")[0] if len(where) > 1 else "?"
                if (cols[1], suite) not in listed:
                    listed.append((cols[1], suite))
        return listed

    def source_packages(self):
        """The linux-source-* package names the lists hold, sorted."""
        out = self.run(self.command("apt-cache", "pkgnames", "linux-source-"),
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return sorted(set(n for n in (out.stdout or "").split()
                          if re.fullmatch(r"linux-source-\d+\.\d+", n)))

    def download(self, pkg, version, cwd):
        """apt-get download pkg=version into cwd: (ok, last line of stderr)."""
        out = self.run(self.command("apt-get", "download", "-q", "%s=%s" % (pkg, version)),
                       cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = [l for l in (out.stderr or "").strip().splitlines() if l.strip()]
        errors = [l for l in lines if l.startswith(("E:", "Err:"))]
        return out.returncode == 0, (errors or lines or ["exit status %d" % out.returncode])[-1]


def private_apt(spec):
    """The PrivateApt for this machine: its Debian mirror ($LOCKSTEP_DEBIAN_MIRROR, else the one
    its apt sources name) and native architecture."""
    mirror = os.environ.get(MIRROR_ENV) or debian_mirror(machine_apt_sources())
    if not mirror:
        raise TreeError(spec, "cannot be fetched: the machine's apt sources name no Debian mirror "
                        "(a deb source for bookworm or another Debian suite); set %s=URI"
                        % MIRROR_ENV)
    return PrivateApt(spec, private_apt_dir(), mirror.rstrip("/"), native_architecture())


def served_text(pkg, listed):
    return "%s %s" % (pkg, ", ".join("%s (%s)" % vs for vs in listed))


def choose_version(spec, pkg, want, listed, packages):
    """(version, suite) to fetch from `listed` ([(version, suite)], newest first) for `want`: None
    for the newest, "7.3.4" for that upstream release's newest Debian revision, or an exact
    Debian version. One-line TreeError naming what the archive serves when nothing matches."""
    if not listed:
        raise TreeError(spec, "is not served by the archive: %s have no %s (they serve %s)"
                        % (" and ".join(PRIVATE_SUITES), pkg, ", ".join(packages) or "none"))
    if want is None:
        return listed[0]
    match = [vs for vs in listed if vs[0] == want or vs[0].startswith(want + "-")]
    if not match:
        raise TreeError(spec, "is not served by the archive (%s %s): it serves %s now"
                        % (pkg, want, served_text(pkg, listed)))
    return match[0]


def private_cached(pkg, want):
    """The cache directory of an already fetched pkg at exact version `want` (or upstream release
    "7.3.4"), so a version once fetched needs no network; None if there is none."""
    root = os.path.join(os.path.dirname(cache_root()), "debian")
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return None
    for name in names:
        if not name.startswith(pkg + "_"):
            continue
        version = name[len(pkg) + 1:]
        if (version == want or version.startswith(want + "-")) and \
                os.path.isfile(os.path.join(root, name, ".complete")):
            return os.path.join(root, name)
    return None


def parse_debian_spec(spec):
    """(package, wanted) for debian:6.12.107 (wanted "6.12.107"), debian:6.12 (wanted None) and
    debian:linux-source-6.12=VERSION (wanted VERSION, exact); a TreeError otherwise."""
    want = spec[len("debian:"):]
    if "=" in want:
        return tuple(want.split("=", 1))
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", want)
    if not m:
        raise TreeError(spec, "is not a Debian source spec (expected debian:6.12.107, debian:6.1, "
                        "debian:7.3 or debian:linux-source-6.12=VERSION)")
    return "linux-source-%s.%s" % (m.group(1), m.group(2)), (want if m.group(3) else None)


def uses_private_apt(pkg):
    m = re.fullmatch(r"linux-source-(\d+)\.\d+", pkg)
    return bool(m) and int(m.group(1)) >= PRIVATE_APT_FROM_MAJOR


def debian_version(spec):
    """('linux-source-6.12', '6.12.107-1~deb12u1') for 'debian:6.12.107' and the other forms,
    through the machine's apt (linux-source-6.x)."""
    want = spec[len("debian:"):]
    if "=" in want:
        pkg, version = want.split("=", 1)
        return pkg, version
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", want)
    if not m:
        raise TreeError(spec, "is not a Debian source spec (expected debian:6.12.107, debian:6.1, "
                        "debian:7.3 or debian:linux-source-6.12=VERSION)")
    pkg = "linux-source-%s.%s" % (m.group(1), m.group(2))
    versions = []
    for refresh in (False, True):
        if refresh:  # not in the lists: they may be stale or never fetched on this machine
            run_text(["apt-get", "update", "-q"])
        madison = run_text(["apt-cache", "madison", pkg]) or ""
        versions = [line.split("|")[1].strip() for line in madison.splitlines() if "|" in line]
        if m.group(3) is not None:
            versions = [v for v in versions if v.startswith(want + "-")]
        if versions:
            break
    if not versions:
        raise TreeError(spec, "is not in the apt lists (%s%s; run apt-get update, or see "
                        "apt-cache madison %s)" % (pkg, " " + want if m.group(3) else "", pkg))
    return pkg, versions[0]  # madison lists the newest first


def fetch_deb(spec, pkg, version, root, download):
    """Runs download(root) (it leaves one .deb in root), then puts the .deb's source tarball at
    root/usr/src/<pkg>.tar.xz and marks root complete. Returns the tarball's path."""
    tarball = os.path.join(root, "usr/src/%s.tar.xz" % pkg)
    os.makedirs(root, exist_ok=True)
    for name in os.listdir(root):
        if name.endswith(".deb"):
            os.remove(os.path.join(root, name))
    ok, last = download(root)
    debs = [n for n in os.listdir(root) if n.endswith(".deb")]
    if not ok or not debs:
        raise TreeError(spec, "could not be fetched with apt-get download %s=%s: %s"
                        % (pkg, version, last or "no .deb"))
    deb = os.path.join(root, debs[0])
    unpack = subprocess.run("dpkg-deb --fsys-tarfile '%s' | tar -x -C '%s' './usr/src/%s.tar.xz'"
                            % (deb, root, pkg), shell=True, stderr=subprocess.PIPE, text=True)
    if unpack.returncode != 0 or not os.path.isfile(tarball):
        raise TreeError(spec, "was fetched but %s holds no usr/src/%s.tar.xz" % (debs[0], pkg))
    os.remove(deb)
    open(os.path.join(root, ".complete"), "w").close()
    return tarball


def machine_download(pkg, version):
    def download(root):
        fetched = subprocess.run(["apt-get", "download", "-q", "%s=%s" % (pkg, version)],
                                 cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
        return fetched.returncode == 0, (fetched.stderr.strip().splitlines() or ["no .deb"])[-1]
    return download


def private_tarball(spec, pkg, want):
    """debian_tarball for linux-source-7.x: the private apt configuration."""
    debian_root = os.path.join(os.path.dirname(cache_root()), "debian")
    if want is not None:  # an exact version once fetched needs no apt at all
        cached = private_cached(pkg, want)
        if cached:
            return (os.path.join(cached, "usr/src/%s.tar.xz" % pkg),
                    read_text(cached, ".origin").strip() or "Debian %s %s (apt-get download, %s)"
                    % (pkg, os.path.basename(cached)[len(pkg) + 1:], spec))
    apt = private_apt(spec)
    refreshed = False
    if apt.prepare():
        apt.update(required=True)
        refreshed = True
    elif want is None and (apt.lists_age() or 0) > PRIVATE_LISTS_MAX_AGE:
        apt.update(required=False)  # the newest: ask the archive, unless it cannot be reached
        refreshed = True
    while True:
        listed = apt.madison(pkg)
        try:
            version, suite = choose_version(spec, pkg, want, listed,
                                            apt.source_packages() if not listed else [])
        except TreeError:
            if refreshed:
                raise
            apt.update(required=False)  # the lists may be older than the archive
            refreshed = True
            continue
        root = os.path.join(debian_root, "%s_%s" % (pkg, version))
        origin = "Debian %s %s (apt-get download from %s, %s)" % (pkg, version, suite, spec)
        tarball = os.path.join(root, "usr/src/%s.tar.xz" % pkg)
        if os.path.isfile(os.path.join(root, ".complete")):
            return tarball, origin
        try:
            tarball = fetch_deb(spec, pkg, version, root,
                                lambda cwd: apt.download(pkg, version, cwd))
        except TreeError:
            if refreshed:
                raise
            apt.update(required=False)  # e.g. the version left the archive since the last update
            refreshed = True
            continue
        with open(os.path.join(root, ".origin"), "w", encoding="utf-8") as f:
            f.write(origin + "\n")
        return tarball, origin


def debian_tarball(spec):
    """Fetches the package into the cache (apt checks it against the signed archive) and returns
    (path of its source tarball, origin text)."""
    pkg, want = parse_debian_spec(spec)
    if uses_private_apt(pkg):
        return private_tarball(spec, pkg, want)
    pkg, version = debian_version(spec)
    root = os.path.join(os.path.dirname(cache_root()), "debian", "%s_%s" % (pkg, version))
    tarball = os.path.join(root, "usr/src/%s.tar.xz" % pkg)
    origin = "Debian %s %s (apt-get download, %s)" % (pkg, version, spec)
    if os.path.isfile(os.path.join(root, ".complete")):
        return tarball, origin
    return fetch_deb(spec, pkg, version, root, machine_download(pkg, version)), origin


# --- commands ---------------------------------------------------------------------------------------


def resolve(path):
    """Returns (absolute path, unpacked tree directory) or raises TreeError."""
    if path.startswith("debian:"):
        tarball, _ = debian_tarball(path)
        return path, unpacked_tarball(tarball, TARBALL_SUFFIXES[".tar.xz"])
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.exists(path):
        raise TreeError(path, "does not exist")
    if os.path.isdir(path):
        return path, path
    is_tar, prog = tarball_filter(path)
    if not is_tar:
        raise TreeError(path, "is neither a directory nor a .tar.xz/.tar.gz/.tar source tarball")
    return path, unpacked_tarball(path, prog)


def subset_files(tree):
    """Relative paths of the subset's files in an unpacked tree."""
    files = ["Makefile", "lib/rbtree.c", "include/uapi/linux/landlock.h"]
    files += [rel for rel in ("include/linux/landlock.h", "include/trace/events/landlock.h")
              if os.path.isfile(os.path.join(tree, rel))]
    inc = os.path.join(tree, "include/linux")
    files += sorted("include/linux/" + n for n in os.listdir(inc)
                    if re.fullmatch(r"rbtree.*\.h", n))
    for root, _, names in os.walk(os.path.join(tree, "security/landlock")):
        for n in sorted(names):
            if n.endswith((".c", ".h")) or n in ("Makefile", "Kconfig", ".kunitconfig"):
                files.append(os.path.relpath(os.path.join(root, n), tree))
    return files


def selftest_files(tree):
    """The selftests' files in an unpacked tree, as (source, destination) relative paths: the
    sources of tools/testing/selftests/landlock and the kselftest headers where they are, and the
    uapi headers the tests include as <linux/landlock.h> and <linux/audit.h> (the system's are
    older) in selftest_uapi/linux/, apart from the include/uapi the shim reads. Tests only, not
    Landlock code: outside the fingerprint. Empty for a tree without them."""
    base = "tools/testing/selftests/landlock"
    if not os.path.isdir(os.path.join(tree, base)):
        return []
    pairs = [(base + "/" + n, base + "/" + n) for n in sorted(os.listdir(os.path.join(tree, base)))
             if n.endswith((".c", ".h"))]
    pairs += [(rel, rel) for rel in ("tools/testing/selftests/kselftest_harness.h",
                                     "tools/testing/selftests/kselftest.h")
              if os.path.isfile(os.path.join(tree, rel))]
    for n in ("landlock.h", "audit.h"):
        # From a kernel tree, or from a subset this function made (a mutant tree, an export).
        for rel in ("include/uapi/linux/" + n, "selftest_uapi/linux/" + n):
            if os.path.isfile(os.path.join(tree, rel)):
                pairs.append((rel, "selftest_uapi/linux/" + n))
                break
    return pairs


# The code a fingerprint covers: every file of the subset that the engine compiles or includes,
# i.e. all of it but the top Makefile (whose VERSION/PATCHLEVEL/SUBLEVEL are the label, not the
# code) and the Kconfig/.kunitconfig files (build configuration the engine does not read). Two
# trees with the same fingerprint run the same Landlock code in lockstep: 6.12.118 is 6.12.117
# with only SUBLEVEL changed.
FINGERPRINT_EXCLUDED = ("Makefile", "security/landlock/Kconfig", "security/landlock/.kunitconfig")


def fingerprint(tree):
    """A short hash of the tree's Landlock code: sha256 over (path, size, bytes) of each covered
    file in sorted order, first 16 hex digits."""
    h = hashlib.sha256()
    for rel in sorted(subset_files(tree)):
        if rel in FINGERPRINT_EXCLUDED:
            continue
        with open(os.path.join(tree, rel), "rb") as f:
            data = f.read()
        h.update(b"%s\0%d\0" % (rel.encode(), len(data)))
        h.update(data)
    return h.hexdigest()[:16]


def makefile_objects(tree):
    """What security/landlock/Makefile builds, as {condition: [file.c, ...]} in the Makefile's
    order: "y" for landlock-y, "CONFIG_X" for landlock-$(CONFIG_X). Only the `landlock-<cond> :=`
    and `+=` assignments of .o files (with backslash continuations) are read; the build picks the
    conditions whose option its configuration has on (//kernel_shim:kernel_revision.bzl)."""
    try:
        text = read_text(tree, "security/landlock/Makefile")
    except OSError:
        return {}
    text = text.replace("\\\n", " ")
    objects = {}
    for line in text.split("\n"):
        m = re.match(r"\s*landlock-(y|\$\((CONFIG_\w+)\))\s*[:+]?=\s*(.*)$", line)
        if not m:
            continue
        cond = m.group(2) or "y"
        for word in m.group(3).split():
            if word.endswith(".o"):
                objects.setdefault(cond, []).append("security/landlock/" + word[:-2] + ".c")
    return objects


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def write_info(dest, path, v, origin, generation, fp):
    vs = version_string(v)
    code = version_code(v)
    with open(os.path.join(dest, "tree_info.h"), "w", encoding="utf-8") as f:
        f.write("/* Generated by tools/kernel_tree.py: the kernel tree this build uses. */\n"
                "#ifndef LOCKSTEP_TREE_INFO_H\n#define LOCKSTEP_TREE_INFO_H\n\n"
                "#define LOCKSTEP_TREE_VERSION %s\n"
                "#define LOCKSTEP_TREE_VERSION_CODE %d /* KERNEL_VERSION(%d, %d, %d) */\n"
                "#define LOCKSTEP_TREE_ORIGIN %s\n"
                "#define LOCKSTEP_TREE_GENERATION %s\n"
                "#define LOCKSTEP_TREE_FINGERPRINT %s /* tools/kernel_tree.py fingerprint */\n\n"
                "#endif /* LOCKSTEP_TREE_INFO_H */\n"
                % (c_string(vs), code, v[0], v[1], min(v[2], 255), c_string(origin),
                   c_string(generation), c_string(fp)))
    with open(os.path.join(dest, "tree_info.txt"), "w", encoding="utf-8") as f:
        f.write("version: %s\nversion_code: %d\norigin: %s\npath: %s\ngeneration: %s\n"
                "fingerprint: %s\n" % (vs, code, origin, path, generation, fp))
    with open(os.path.join(dest, "generation.bzl"), "w", encoding="utf-8") as f:
        f.write('"""Generated by tools/kernel_tree.py."""\n\n'
                "# The adapter generation this tree needs (see //kernel_shim:kernel_revision.bzl).\n"
                "GENERATION = %s\nVERSION = %s\nFINGERPRINT = %s\n\n"
                "# security/landlock/Makefile: the .c files per condition (\"y\": always).\n"
                "MAKEFILE_OBJECTS = {\n%s}\n\n"
                "# The tree's selftest programs (tools/testing/selftests/landlock/*_test.c).\n"
                "SELFTESTS = [%s]\n"
                % (c_string(generation), c_string(vs), c_string(fp),
                   "".join("    %s: [%s],\n" % (c_string(cond), ", ".join(c_string(f) for f in files))
                           for cond, files in makefile_objects(dest).items()),
                   ", ".join(c_string(t) for t in selftest_programs(dest))))


def selftest_programs(tree):
    """The selftest programs of an extracted tree: base_test, net_test, ..."""
    base = os.path.join(tree, "tools/testing/selftests/landlock")
    if not os.path.isdir(base):
        return []
    return sorted(n[:-2] for n in os.listdir(base) if n.endswith("_test.c"))


def cmd_check(path, generations):
    path, tree = resolve(path)
    v, generation = check_tree(tree, path, generations)
    print("%s: Linux %s, Landlock of the %s generation, fingerprint %s"
          % (path, version_string(v), generation, fingerprint(tree)))


def cmd_generation(path, generations):
    path, tree = resolve(path)
    print(check_tree(tree, path, generations)[1])


def cmd_default(b_of=None, lts=False):
    if lts:
        print(LTS_TREE)
        return
    if not b_of:
        print(DEFAULT_TREE)
        return
    path, tree = resolve(b_of)
    generation = check_tree(tree, path, KNOWN_GENERATIONS)[1]
    if generation not in DEFAULT_TREE_B:
        raise TreeError(path, "is of the %s generation, which has no default revision B (name one "
                        "with --kernel-tree-b)" % generation)
    print(DEFAULT_TREE_B[generation])


def cmd_tarball(spec):
    """Prints the source tarball a debian:VERSION spec names, fetched into the cache if needed."""
    if not spec.startswith("debian:"):
        raise TreeError(spec, "is not debian:VERSION (tarball names a Debian package's tarball)")
    print(debian_tarball(spec)[0])


def cmd_extract(path, dest, generations):
    path, tree = resolve(path)
    v, generation = check_tree(tree, path, generations)
    os.makedirs(dest, exist_ok=True)
    link = os.path.isdir(path)  # a checkout: symlinks, so edits reach the build
    for rel, to in [(f, f) for f in subset_files(tree)] + selftest_files(tree):
        src, dst = os.path.join(tree, rel), os.path.join(dest, to)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst):
            os.remove(dst)
        if link:
            os.symlink(src, dst)
        else:
            shutil.copyfile(src, dst)
    write_info(dest, path, v, origin_of(path), generation, fingerprint(dest))
    print("%s: Linux %s" % (path, version_string(v)))


def main(argv):
    generations = ("6.12",)
    generations_given = None
    rest = []
    for arg in argv:
        if arg.startswith("--generations="):
            generations = generations_given = tuple(g for g in arg.split("=", 1)[1].split(",") if g)
            unknown = [g for g in generations if g not in KNOWN_GENERATIONS]
            if unknown or not generations:
                print("kernel_tree.py: unknown generation %s (known: %s)"
                      % (",".join(unknown) or "''", ", ".join(KNOWN_GENERATIONS)), file=sys.stderr)
                return 1
        else:
            rest.append(arg)
    argv = rest
    if len(argv) == 2 and argv[0] == "check":
        run, args = cmd_check, argv[1:] + [generations]
    elif len(argv) == 2 and argv[0] == "generation":
        # Any generation unless told: the question is which one.
        run, args = cmd_generation, argv[1:] + [generations_given or KNOWN_GENERATIONS]
    elif len(argv) == 3 and argv[0] == "extract":
        run, args = cmd_extract, argv[1:] + [generations]
    elif len(argv) == 2 and argv[0] == "tarball":
        run, args = cmd_tarball, argv[1:]
    elif argv == ["default"]:
        run, args = cmd_default, []
    elif argv == ["default", "--lts"]:
        run, args = cmd_default, [None, True]
    elif len(argv) == 2 and argv[0] == "default" and argv[1].startswith("--b-of="):
        # An empty A (an unset $LOCKSTEP_KERNEL_TREE) is the default tree.
        run, args = cmd_default, [argv[1].split("=", 1)[1] or DEFAULT_TREE]
    else:
        print("usage: kernel_tree.py check PATH | generation PATH | extract PATH DEST "
              "[--generations=6.12,6.1] | default [--b-of=PATH | --lts] | tarball debian:VERSION",
              file=sys.stderr)
        return 1
    try:
        run(*args)
    except TreeError as e:
        print(e, file=sys.stderr)
        return 2
    except OSError as e:
        print("lockstep: kernel tree %s cannot be read: %s" % (args[0] if args else DEFAULT_TREE,
                                                                 e.strerror or e),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
