#!/usr/bin/env python3
"""Asks clangd where a symbol used in a file is defined (textDocument/definition over LSP).

  clangd_definition.py --clangd clangd-14 --compdb-dir DIR FILE SYMBOL [--occurrence N]

Opens FILE in clangd (compile flags from DIR/compile_commands.json), finds the Nth (default 1st)
use of SYMBOL as a call (`SYMBOL(`) in it, asks for the definition and prints
"PATH:LINE" for each location clangd returns (exit 0), or a one-line reason (exit 1).
Standard library only; a minimal LSP client over stdio (Content-Length framed JSON-RPC).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request


class Lsp:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("clangd exited")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            msg = self.read()
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result")

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # clangd gone already: nothing to shut down
            self.proc.kill()


def main(argv):
    ap = argparse.ArgumentParser(prog="clangd_definition.py")
    ap.add_argument("--clangd", default="clangd-14")
    ap.add_argument("--compdb-dir", required=True)
    ap.add_argument("--occurrence", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("file")
    ap.add_argument("symbol")
    a = ap.parse_args(argv)

    path = os.path.abspath(a.file)
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    uses = [(n, m.start()) for n, line in enumerate(text.splitlines())
            for m in re.finditer(r"\b%s\s*\(" % re.escape(a.symbol), line)]
    if len(uses) < a.occurrence:
        print("clangd_definition: %s: no call of %s #%d" % (path, a.symbol, a.occurrence))
        return 1
    line, col = uses[a.occurrence - 1]

    lsp = Lsp([a.clangd, "--compile-commands-dir=" + os.path.abspath(a.compdb_dir),
               "--background-index=false", "--log=error"])
    timer = threading.Timer(a.timeout, lsp.proc.kill)
    timer.start()
    try:
        uri = "file://" + urllib.request.pathname2url(path)
        lsp.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        lsp.notify("initialized", {})
        lsp.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "c", "version": 1, "text": text}})
        result = lsp.request("textDocument/definition", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
        lsp.close()
    except (EOFError, RuntimeError, OSError) as e:
        print("clangd_definition: %s (timeout %.0f s)" % (e, a.timeout))
        return 1
    finally:
        timer.cancel()
    if isinstance(result, dict):
        result = [result]
    if not result:
        print("clangd_definition: clangd found no definition of %s at %s:%d:%d"
              % (a.symbol, path, line + 1, col + 1))
        return 1
    for loc in result:
        target = urllib.parse.unquote(urllib.parse.urlparse(loc.get("uri") or loc["targetUri"]).path)
        rng = loc.get("range") or loc["targetRange"]
        print("%s:%d" % (target, rng["start"]["line"] + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
