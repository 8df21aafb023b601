// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asks gdb to load lockstep's pretty-printers and commands for any binary this is linked into
 * (every kernel revision links it). An entry of gdb's .debug_gdb_scripts section: kind 1 (a Python
 * file) and the file's name. gdb looks the name up in its current directory, then along its source
 * path (`directory`), so it is found from the workspace root; it loads it only from a directory
 * on its auto-load safe-path, which `./lockstep gdb` extends (-iex "add-auto-load-safe-path ...").
 *
 * The section is not allocated (flags "MS": mergeable strings, so one entry survives however many
 * objects carry it) and holds no code: nothing changes at run time.
 */
__asm__(".pushsection \".debug_gdb_scripts\", \"MS\",@progbits,1\n"
	".byte 1\n"
	".asciz \"tools/gdb/lockstep_gdb.py\"\n"
	".popsection\n");
