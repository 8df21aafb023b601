#!/usr/bin/env python3
"""Checks a kernel tree for lockstep and extracts its Landlock subset.

  kernel_tree.py check PATH [--generations=6.12,6.1]
        exit 0 and print "PATH: Linux 6.12.117 ..." if usable by one of the adapter generations
  kernel_tree.py extract PATH DEST [--generations=...]
        put the Landlock subset of PATH into DEST, plus tree_info.h, tree_info.txt and
        generation.bzl (GENERATION = "6.12") describing it

PATH is a kernel checkout (directory), a source tarball (.tar.xz, .tar.gz, .tgz, .tar), or
`debian:VERSION` for a Debian linux-source package fetched with apt-get download (checked by apt
against the signed archive) into the cache: debian:6.12.107, debian:6.1 (the newest 6.1),
debian:linux-source-6.12=6.12.107-1~deb12u1.

Generations (--generations, default 6.12): the Landlock internal API an adapter speaks.
  6.12  struct landlock_id, one rb-tree per key type, net.c (Linux 6.7 to 6.14)
  6.1   object-keyed rules, one tree, no network rules (Linux 5.13 to 6.6)
Every error is ONE line on stderr starting with "lockstep: kernel tree ", exit status 2
(usage errors: exit status 1).

The subset is what the engine compiles, never copied into the repository:
  security/landlock/**, lib/rbtree.c, include/linux/rbtree*.h, include/uapi/linux/landlock.h,
  Makefile (for VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION).
Directories are mirrored with symlinks to the original files, so edits in a checkout reach the
build. A tarball's subset is extracted once (about 5-10 s) and cached under
$LOCKSTEP_CACHE_DIR (default ~/.cache/lockstep/kernel_trees), keyed by path, size and mtime.

Standard library only: called by the @kernel_tree repository rule and by ./lockstep.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Adapter generations, newest first; see the module docstring.
KNOWN_GENERATIONS = ("6.12", "6.1")
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
    """The adapter generation the tree's Landlock needs, or a TreeError naming what is missing."""
    headers = landlock_headers_text(tree)
    if re.search(r"\blandlock_get_applicable_subject\b|\bstruct layer_access_masks\b", headers):
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
    """Returns a directory holding the tarball's subset, extracting it once per (path, size, mtime)."""
    st = os.stat(path)
    key = hashlib.sha256(("%s\0%d\0%d" % (path, st.st_size, st.st_mtime_ns)).encode()).hexdigest()
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


# --- commands ---------------------------------------------------------------------------------------


def debian_version(spec):
    """('linux-source-6.12', '6.12.107-1~deb12u1') for 'debian:6.12.107' and the other forms."""
    want = spec[len("debian:"):]
    if "=" in want:
        pkg, version = want.split("=", 1)
        return pkg, version
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", want)
    if not m:
        raise TreeError(spec, "is not a Debian source spec (expected debian:6.12.107, debian:6.1 "
                        "or debian:linux-source-6.12=VERSION)")
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


def debian_tarball(spec):
    """Fetches the package into the cache (apt checks it against the signed archive) and returns
    (path of its source tarball, origin text)."""
    pkg, version = debian_version(spec)
    root = os.path.join(os.path.dirname(cache_root()), "debian", "%s_%s" % (pkg, version))
    tarball = os.path.join(root, "usr/src/%s.tar.xz" % pkg)
    origin = "Debian %s %s (apt-get download, %s)" % (pkg, version, spec)
    if os.path.isfile(os.path.join(root, ".complete")):
        return tarball, origin
    os.makedirs(root, exist_ok=True)
    for name in os.listdir(root):
        if name.endswith(".deb"):
            os.remove(os.path.join(root, name))
    fetched = subprocess.run(["apt-get", "download", "-q", "%s=%s" % (pkg, version)], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    debs = [n for n in os.listdir(root) if n.endswith(".deb")]
    if fetched.returncode != 0 or not debs:
        last = (fetched.stderr.strip().splitlines() or ["no .deb"])[-1]
        raise TreeError(spec, "could not be fetched with apt-get download %s=%s: %s"
                        % (pkg, version, last))
    deb = os.path.join(root, debs[0])
    unpack = subprocess.run("dpkg-deb --fsys-tarfile '%s' | tar -x -C '%s' './usr/src/%s.tar.xz'"
                            % (deb, root, pkg), shell=True, stderr=subprocess.PIPE, text=True)
    if unpack.returncode != 0 or not os.path.isfile(tarball):
        raise TreeError(spec, "was fetched but %s holds no usr/src/%s.tar.xz" % (debs[0], pkg))
    os.remove(deb)
    open(os.path.join(root, ".complete"), "w").close()
    return tarball, origin


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
    inc = os.path.join(tree, "include/linux")
    files += sorted("include/linux/" + n for n in os.listdir(inc)
                    if re.fullmatch(r"rbtree.*\.h", n))
    for root, _, names in os.walk(os.path.join(tree, "security/landlock")):
        for n in sorted(names):
            if n.endswith((".c", ".h")) or n in ("Makefile", "Kconfig", ".kunitconfig"):
                files.append(os.path.relpath(os.path.join(root, n), tree))
    return files


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
                "GENERATION = %s\nVERSION = %s\nFINGERPRINT = %s\n"
                % (c_string(generation), c_string(vs), c_string(fp)))


def cmd_check(path, generations):
    path, tree = resolve(path)
    v, generation = check_tree(tree, path, generations)
    print("%s: Linux %s, Landlock of the %s generation, fingerprint %s"
          % (path, version_string(v), generation, fingerprint(tree)))


def cmd_extract(path, dest, generations):
    path, tree = resolve(path)
    v, generation = check_tree(tree, path, generations)
    os.makedirs(dest, exist_ok=True)
    link = os.path.isdir(path)  # a checkout: symlinks, so edits reach the build
    for rel in subset_files(tree):
        src, dst = os.path.join(tree, rel), os.path.join(dest, rel)
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
    rest = []
    for arg in argv:
        if arg.startswith("--generations="):
            generations = tuple(g for g in arg.split("=", 1)[1].split(",") if g)
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
    elif len(argv) == 3 and argv[0] == "extract":
        run, args = cmd_extract, argv[1:] + [generations]
    else:
        print("usage: kernel_tree.py check PATH | extract PATH DEST [--generations=6.12,6.1]",
              file=sys.stderr)
        return 1
    try:
        run(*args)
    except TreeError as e:
        print(e, file=sys.stderr)
        return 2
    except OSError as e:
        print("lockstep: kernel tree %s cannot be read: %s" % (args[0], e.strerror or e),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
