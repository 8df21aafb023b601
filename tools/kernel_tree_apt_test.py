#!/usr/bin/env python3
"""Unit tests of tools/kernel_tree.py's Debian archive access, without the network.

The private apt configuration for linux-source-7.x (its sources list, directories and apt-get
command lines), the mirror taken from the machine's apt sources, the choice of a version and the
one-line errors, and the whole fetch with a fake apt that hands out a .deb built here.
Run: bazel test //tools:kernel_tree_apt_test (or python3 tools/kernel_tree_apt_test.py).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_tree as kt  # noqa: E402

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

# The forms a Debian machine's apt sources come in.
DEB822 = """\
Types: deb
# a comment inside a stanza
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
DEB822_DISABLED = """\
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: https://vendor.example/node_20.x
Suites: nodistro
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 xyz
 -----END PGP PUBLIC KEY BLOCK-----
"""
ONE_LINE = (
    "# deb http://commented.example/debian bookworm main\n"
    "deb https://vendor.example/apt cloud-sdk-bookworm main\n"
    "deb-src http://src.example/debian bookworm main\n"
    "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
    "http://one.example/debian/ bookworm main contrib\n"
)

# apt-cache madison's output for the two packages, as the archive served them when written.
MADISON_72 = """\
linux-source-7.2 |   7.2.13-1 | http://m.example/debian sid/main amd64 Packages
linux-source-7.2 | 7.2.12-1~bpo13+1 | http://m.example/debian trixie-backports/main amd64 Packages
linux-source-7.2 | 7.2.11-1~bpo13+1 | http://m.example/debian trixie-backports/main amd64 Packages
"""
MADISON_73 = """\
linux-source-7.3 | 7.3.4-1~bpo13+1 | http://m.example/debian trixie-backports/main amd64 Packages
"""


class Done:
    def __init__(self, returncode=0, stdout="", stderr=""):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


class FakeApt:
    """Stands in for subprocess.run under PrivateApt: records every command line and answers
    from `madison` (package -> text); `download` writes a .deb made by make_deb into cwd."""

    def __init__(self, madison, deb=None, update_stderr="", update_status=0):
        self.madison, self.deb = dict(madison), deb
        self.update_stderr, self.update_status = update_stderr, update_status
        self.calls = []

    def __call__(self, cmd, cwd=None, **_):
        self.calls.append((list(cmd), cwd))
        verb = [a for a in cmd[1:] if not a.startswith("-") and "=" not in a and "::" not in a]
        if cmd[0] == "apt-get" and verb[0] == "update":
            return Done(self.update_status, stderr=self.update_stderr)
        if cmd[0] == "apt-cache" and verb[0] == "madison":
            return Done(stdout=self.madison.get(verb[1], ""))
        if cmd[0] == "apt-cache" and verb[0] == "pkgnames":
            names = sorted(set(l.split("|")[0].strip() for t in self.madison.values()
                               for l in t.splitlines() if "|" in l))
            return Done(stdout="\n".join(names + ["linux-source"]) + "\n")
        if cmd[0] == "apt-get" and verb[0] == "download":
            if not self.deb:
                return Done(100, stderr="E: Failed to fetch http://m.example/x.deb  404  Not Found")
            shutil.copy(self.deb, cwd)
            return Done()
        raise AssertionError("unexpected command %s" % cmd)

    def verbs(self):
        return [" ".join(a for a in c[1:] if not a.startswith("-o") and "::" not in a)
                for c, _ in self.calls]


def make_deb(workdir, pkg):
    """A .deb holding ./usr/src/<pkg>.tar.xz, like Debian's linux-source packages."""
    root = os.path.join(workdir, "debroot")
    os.makedirs(os.path.join(root, "DEBIAN"))
    os.makedirs(os.path.join(root, "usr/src"))
    with open(os.path.join(root, "DEBIAN/control"), "w") as f:
        f.write("Package: %s\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\n"
                "Description: test\n" % pkg)
    with open(os.path.join(root, "usr/src/%s.tar.xz" % pkg), "wb") as f:
        f.write(b"not really xz")
    deb = os.path.join(workdir, "%s_1_all.deb" % pkg)
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", root, deb], check=True,
                   stdout=subprocess.DEVNULL)
    return deb


class SourcesTest(unittest.TestCase):
    def test_deb822_stanzas(self):
        entries = kt.parse_deb822_sources(DEB822)
        self.assertEqual([e["uris"] for e in entries],
                         [["http://mirror.example/debian"],
                          ["http://mirror.example/debian-security"]])
        self.assertEqual(entries[0]["suites"], ["bookworm", "bookworm-updates"])
        self.assertEqual(entries[0]["options"]["signed-by"], KEYRING)

    def test_deb822_disabled_and_inline_key(self):
        entries = kt.parse_deb822_sources(DEB822_DISABLED)
        self.assertEqual([e["uris"] for e in entries], [["https://vendor.example/node_20.x"]])
        self.assertIn("BEGIN PGP", entries[0]["options"]["signed-by"])

    def test_one_line(self):
        entries = kt.parse_sources_list(ONE_LINE)
        self.assertEqual([(e["types"], e["uris"], e["suites"]) for e in entries],
                         [(["deb"], ["https://vendor.example/apt"], ["cloud-sdk-bookworm"]),
                          (["deb-src"], ["http://src.example/debian"], ["bookworm"]),
                          (["deb"], ["http://one.example/debian/"], ["bookworm"])])
        self.assertEqual(entries[2]["options"], {"arch": "amd64", "signed-by": KEYRING})
        self.assertEqual(entries[2]["components"], ["main", "contrib"])

    def test_mirror_is_the_first_debian_suite(self):
        self.assertEqual(kt.debian_mirror([("a.sources", kt.parse_deb822_sources(DEB822))]),
                         "http://mirror.example/debian")
        # Vendor suites, deb-src, disabled stanzas and -security are not Debian's main archive.
        self.assertEqual(kt.debian_mirror([("a.list", kt.parse_sources_list(ONE_LINE)),
                                           ("b.sources", kt.parse_deb822_sources(DEB822))]),
                         "http://one.example/debian")
        self.assertIsNone(kt.debian_mirror([("c.sources",
                                             kt.parse_deb822_sources(DEB822_DISABLED))]))
        security_only = DEB822.split("\n\n")[1]
        self.assertIsNone(kt.debian_mirror([("d", kt.parse_deb822_sources(security_only))]))

    def test_machine_sources_in_apt_order(self):
        d = tempfile.mkdtemp()
        parts = os.path.join(d, "sources.list.d")
        os.makedirs(parts)
        for name, text in (("b.sources", DEB822), ("a.list", ONE_LINE),
                           ("c.sources.disabled", DEB822), ("z.list.save", ONE_LINE)):
            with open(os.path.join(parts, name), "w") as f:
                f.write(text)
        sources = kt.machine_apt_sources(os.path.join(d, "missing.list"), parts)
        self.assertEqual([os.path.basename(p) for p, _ in sources], ["a.list", "b.sources"])
        self.assertEqual(kt.debian_mirror(sources), "http://one.example/debian")
        shutil.rmtree(d)


class PrivateConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.apt_dir = os.path.join(self.dir, "apt")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_sources_list(self):
        self.assertEqual(
            kt.private_sources_text("http://m.example/debian", "amd64", KEYRING),
            "deb [arch=amd64 signed-by=%s] http://m.example/debian sid main\n"
            "deb [arch=amd64 signed-by=%s] http://m.example/debian trixie-backports main\n"
            % (KEYRING, KEYRING))

    def test_options_keep_apt_to_the_private_files(self):
        d = self.apt_dir
        self.assertEqual(kt.private_apt_options(d), [
            "-o", "Dir::Etc::sourcelist=%s/sources.list" % d,
            "-o", "Dir::Etc::sourceparts=%s/sources.list.d" % d,
            "-o", "Dir::State::Lists=%s/lists" % d,
            "-o", "Dir::Cache=%s/cache" % d,
            "-o", "Dir::State::status=/dev/null",
            "-o", "Acquire::Languages=none",
        ])

    def test_no_option_weakens_verification(self):
        fake = FakeApt({"linux-source-7.3": MADISON_73})
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=fake)
        apt.prepare()
        apt.update(required=True)
        apt.madison("linux-source-7.3")
        apt.download("linux-source-7.3", "7.3.4-1~bpo13+1", self.dir)
        text = " ".join(" ".join(c) for c, _ in fake.calls).lower()
        text += kt.read_text(self.apt_dir, "sources.list").lower()
        for weak in ("allowinsecure", "allowunauthenticated", "allow-unauthenticated",
                     "trusted=yes", "check-valid-until", "allowdowngradetoinsecure",
                     "allow-insecure", "--force"):
            self.assertNotIn(weak, text)
        self.assertIn("signed-by=" + KEYRING, text)

    def test_command_lines(self):
        fake = FakeApt({"linux-source-7.3": MADISON_73})
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=fake)
        opts = kt.private_apt_options(self.apt_dir)
        apt.prepare()
        apt.update(required=True)
        apt.download("linux-source-7.3", "7.3.4-1~bpo13+1", "/some/dir")
        self.assertEqual(fake.calls, [
            (["apt-get"] + opts + ["update", "-q"], None),
            (["apt-get"] + opts + ["download", "-q", "linux-source-7.3=7.3.4-1~bpo13+1"],
             "/some/dir"),
        ])

    def test_prepare_writes_the_configuration_once(self):
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=FakeApt({}))
        self.assertTrue(apt.prepare())  # no lists yet
        for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
            self.assertTrue(os.path.isdir(os.path.join(self.apt_dir, sub)), sub)
        self.assertEqual(os.listdir(os.path.join(self.apt_dir, "sources.list.d")), [])
        apt.update(required=True)
        self.assertFalse(apt.prepare())  # fetched: no update needed
        self.assertLess(apt.lists_age(), 60)
        moved = kt.PrivateApt("debian:7.3", self.apt_dir, "http://other.example/debian", "amd64",
                              KEYRING, run=FakeApt({}))
        self.assertTrue(moved.prepare())  # another mirror: its lists must be fetched
        self.assertIn("other.example", kt.read_text(self.apt_dir, "sources.list"))

    def test_missing_keyring(self):
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            os.path.join(self.dir, "nokeyring.gpg"), run=FakeApt({}))
        with self.assertRaises(kt.TreeError) as e:
            apt.prepare()
        self.assertIn("no Debian archive keyring", str(e.exception))

    def test_unverifiable_signature_is_an_error(self):
        fake = FakeApt({}, update_status=100, update_stderr=(
            "W: GPG error: http://m.example/debian sid InRelease: The following signatures "
            "couldn't be verified because the public key is not available: NO_PUBKEY "
            "0123456789ABCDEF\nE: The repository 'http://m.example/debian sid InRelease' is "
            "not signed.\n"))
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=fake)
        apt.prepare()
        for required in (True, False):  # even with old lists at hand
            with self.assertRaises(kt.TreeError) as e:
                apt.update(required=required)
            message = str(e.exception)
            self.assertEqual(len(message.splitlines()), 1)
            self.assertIn("0123456789ABCDEF", message)
            self.assertIn("debian-archive-keyring", message)

    def test_failed_update(self):
        fake = FakeApt({}, update_status=100,
                       update_stderr="E: Failed to fetch http://m.example/x  Could not resolve\n")
        apt = kt.PrivateApt("debian:7.3", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=fake)
        apt.prepare()
        apt.update(required=False)  # old lists are used
        with self.assertRaises(kt.TreeError) as e:
            apt.update(required=True)
        self.assertEqual(str(e.exception),
                         "lockstep: kernel tree debian:7.3 cannot be fetched: apt-get update of "
                         "http://m.example/debian sid trixie-backports failed: E: Failed to fetch "
                         "http://m.example/x  Could not resolve")

    def test_madison(self):
        apt = kt.PrivateApt("debian:7.2", self.apt_dir, "http://m.example/debian", "amd64",
                            KEYRING, run=FakeApt({"linux-source-7.2": MADISON_72}))
        self.assertEqual(apt.madison("linux-source-7.2"),
                         [("7.2.13-1", "sid"), ("7.2.12-1~bpo13+1", "trixie-backports"),
                          ("7.2.11-1~bpo13+1", "trixie-backports")])
        self.assertEqual(apt.madison("linux-source-7.9"), [])


class VersionTest(unittest.TestCase):
    LISTED = [("7.2.13-1", "sid"), ("7.2.12-1~bpo13+1", "trixie-backports")]

    def test_specs(self):
        self.assertEqual(kt.parse_debian_spec("debian:7.3"), ("linux-source-7.3", None))
        self.assertEqual(kt.parse_debian_spec("debian:7.3.4"), ("linux-source-7.3", "7.3.4"))
        self.assertEqual(kt.parse_debian_spec("debian:linux-source-7.3=7.3.4-1~bpo13+1"),
                         ("linux-source-7.3", "7.3.4-1~bpo13+1"))
        with self.assertRaises(kt.TreeError):
            kt.parse_debian_spec("debian:seven")

    def test_which_apt(self):
        self.assertTrue(kt.uses_private_apt("linux-source-7.3"))
        self.assertTrue(kt.uses_private_apt("linux-source-7.2"))
        self.assertTrue(kt.uses_private_apt("linux-source-8.0"))
        self.assertFalse(kt.uses_private_apt("linux-source-6.12"))
        self.assertFalse(kt.uses_private_apt("linux-source-6.1"))

    def test_choose(self):
        pkg = "linux-source-7.2"
        self.assertEqual(kt.choose_version("debian:7.2", pkg, None, self.LISTED, []),
                         ("7.2.13-1", "sid"))
        self.assertEqual(kt.choose_version("debian:7.2.12", pkg, "7.2.12", self.LISTED, []),
                         ("7.2.12-1~bpo13+1", "trixie-backports"))
        self.assertEqual(kt.choose_version("x", pkg, "7.2.12-1~bpo13+1", self.LISTED, []),
                         ("7.2.12-1~bpo13+1", "trixie-backports"))
        # 7.2.1 is not a prefix of 7.2.13: no partial matches.
        with self.assertRaises(kt.TreeError) as e:
            kt.choose_version("debian:7.2.1", pkg, "7.2.1", self.LISTED, [])
        self.assertEqual(str(e.exception),
                         "lockstep: kernel tree debian:7.2.1 is not served by the archive "
                         "(linux-source-7.2 7.2.1): it serves linux-source-7.2 7.2.13-1 (sid), "
                         "7.2.12-1~bpo13+1 (trixie-backports) now")
        with self.assertRaises(kt.TreeError) as e:
            kt.choose_version("debian:7.9", "linux-source-7.9", None, [],
                              ["linux-source-7.2", "linux-source-7.3"])
        self.assertEqual(str(e.exception),
                         "lockstep: kernel tree debian:7.9 is not served by the archive: sid and "
                         "trixie-backports have no linux-source-7.9 (they serve "
                         "linux-source-7.2, linux-source-7.3)")


class FetchTest(unittest.TestCase):
    """private_tarball end to end with a fake apt: what is run, what is cached, what is not."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.env = {k: os.environ.get(k) for k in ("LOCKSTEP_CACHE_DIR", kt.MIRROR_ENV)}
        os.environ["LOCKSTEP_CACHE_DIR"] = os.path.join(self.dir, "cache")
        os.environ[kt.MIRROR_ENV] = "http://m.example/debian/"
        self.private_apt = kt.private_apt

    def tearDown(self):
        kt.private_apt = self.private_apt
        for k, v in self.env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.dir)

    def use(self, fake):
        def private_apt(spec):
            apt = self.private_apt(spec)
            self.assertEqual(apt.mirror, "http://m.example/debian")  # from the environment
            self.assertEqual(apt.dir, os.path.join(self.dir, "cache", "apt"))
            apt.keyring = KEYRING if os.path.isfile(KEYRING) else __file__
            apt.run = fake
            return apt
        kt.private_apt = private_apt

    def test_fetch_then_cached(self):
        fake = FakeApt({"linux-source-7.3": MADISON_73},
                       deb=make_deb(self.dir, "linux-source-7.3"))
        self.use(fake)
        tarball, origin = kt.debian_tarball("debian:7.3")
        root = os.path.join(self.dir, "cache", "debian", "linux-source-7.3_7.3.4-1~bpo13+1")
        self.assertEqual(tarball, os.path.join(root, "usr/src/linux-source-7.3.tar.xz"))
        self.assertTrue(os.path.isfile(tarball))
        self.assertEqual(sorted(os.listdir(root)), [".complete", ".origin", "usr"])  # no .deb
        self.assertEqual(origin, "Debian linux-source-7.3 7.3.4-1~bpo13+1 (apt-get download "
                                 "from trixie-backports, debian:7.3)")
        self.assertEqual(fake.verbs(), ["update -q", "madison linux-source-7.3",
                                        "download -q linux-source-7.3=7.3.4-1~bpo13+1"])
        # The newest again: the lists are fresh, so only a look-up, no download.
        fake.calls.clear()
        self.assertEqual(kt.debian_tarball("debian:7.3")[0], tarball)
        self.assertEqual(fake.verbs(), ["madison linux-source-7.3"])
        # An exact version once fetched: no apt at all (works offline).
        fake.calls.clear()
        for spec in ("debian:7.3.4", "debian:linux-source-7.3=7.3.4-1~bpo13+1"):
            self.assertEqual(kt.debian_tarball(spec), (tarball, origin))
        self.assertEqual(fake.calls, [])

    def test_version_gone_refreshes_then_names_what_is_served(self):
        fake = FakeApt({"linux-source-7.3": MADISON_73})
        self.use(fake)
        with self.assertRaises(kt.TreeError) as e:
            kt.debian_tarball("debian:7.3.3")
        self.assertEqual(str(e.exception),
                         "lockstep: kernel tree debian:7.3.3 is not served by the archive "
                         "(linux-source-7.3 7.3.3): it serves linux-source-7.3 7.3.4-1~bpo13+1 "
                         "(trixie-backports) now")
        self.assertEqual(fake.verbs(), ["update -q", "madison linux-source-7.3"])
        # With lists fetched earlier, a version not in them refreshes them once first.
        fake.calls.clear()
        with self.assertRaises(kt.TreeError):
            kt.debian_tarball("debian:7.3.3")
        self.assertEqual(fake.verbs(), ["madison linux-source-7.3", "update -q",
                                        "madison linux-source-7.3"])

    def test_download_failure_is_one_line(self):
        fake = FakeApt({"linux-source-7.2": MADISON_72})
        self.use(fake)
        with self.assertRaises(kt.TreeError) as e:
            kt.debian_tarball("debian:7.2")
        self.assertEqual(str(e.exception),
                         "lockstep: kernel tree debian:7.2 could not be fetched with apt-get "
                         "download linux-source-7.2=7.2.13-1: E: Failed to fetch "
                         "http://m.example/x.deb  404  Not Found")
        self.assertEqual(fake.verbs(), ["update -q", "madison linux-source-7.2",
                                        "download -q linux-source-7.2=7.2.13-1"])
        self.assertEqual(os.listdir(os.path.join(self.dir, "cache", "debian",
                                                 "linux-source-7.2_7.2.13-1")), [])
        # With lists fetched earlier, a failed download is retried once after refreshing them.
        fake.calls.clear()
        with self.assertRaises(kt.TreeError):
            kt.debian_tarball("debian:7.2")
        self.assertEqual(fake.verbs(), ["madison linux-source-7.2",
                                        "download -q linux-source-7.2=7.2.13-1", "update -q",
                                        "madison linux-source-7.2",
                                        "download -q linux-source-7.2=7.2.13-1"])

    def test_machine_apt_for_6x(self):
        # linux-source-6.x never reaches the private configuration.
        def fail(spec):
            raise AssertionError("private apt used for " + spec)
        kt.private_apt = fail
        os.makedirs(os.path.join(self.dir, "cache", "debian",
                                 "linux-source-6.12_6.12.107-1~deb12u1"))
        open(os.path.join(self.dir, "cache", "debian", "linux-source-6.12_6.12.107-1~deb12u1",
                          ".complete"), "w").close()
        tarball, origin = kt.debian_tarball("debian:linux-source-6.12=6.12.107-1~deb12u1")
        self.assertTrue(tarball.endswith("linux-source-6.12_6.12.107-1~deb12u1/usr/src/"
                                         "linux-source-6.12.tar.xz"))
        self.assertEqual(origin, "Debian linux-source-6.12 6.12.107-1~deb12u1 (apt-get download, "
                                 "debian:linux-source-6.12=6.12.107-1~deb12u1)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
