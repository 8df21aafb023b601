#!/usr/bin/env python3
"""zip_dir.py DIR OUT.zip: every regular file of DIR, sorted, stored flat with a fixed timestamp
(reproducible seed archives; OSS-Fuzz's <fuzzer>_seed_corpus.zip). zip_dir.py -x ZIP DIR extracts."""
import os
import sys
import zipfile


def main(argv):
    if len(argv) == 4 and argv[1] == "-x":
        with zipfile.ZipFile(argv[2]) as z:
            z.extractall(argv[3])
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = argv[1], argv[2]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(os.listdir(src)):
            path = os.path.join(src, name)
            if os.path.isfile(path):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                with open(path, "rb") as f:
                    z.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
