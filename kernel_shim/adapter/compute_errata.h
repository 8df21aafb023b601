/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the adapters whose tree has the erratum mechanism (errata.h). */
#ifndef LOCKSTEP_KERNEL_SHIM_ADAPTER_COMPUTE_ERRATA_H_
#define LOCKSTEP_KERNEL_SHIM_ADAPTER_COMPUTE_ERRATA_H_

/*
 * What setup.c's compute_errata() computes: one bit per erratum the tree declares for an ABI it
 * implements (errata/abi-*.h, included by the adapter through errata.h).
 */
static int compute_errata(void)
{
	int errata = 0;
	size_t i;

	for (i = 0; landlock_errata_init[i].number; i++) {
		if (WARN_ON_ONCE(landlock_errata_init[i].abi > landlock_abi_version))
			continue;
		errata |= (int)BIT(landlock_errata_init[i].number - 1);
	}
	return errata;
}

#endif /* LOCKSTEP_KERNEL_SHIM_ADAPTER_COMPUTE_ERRATA_H_ */
