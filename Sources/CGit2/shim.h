#ifndef AGON_CGIT2_SHIM_H
#define AGON_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/repository.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one fixed-arity wrapper per option used. */

/* Whether every object read is re-hashed to check its id (libgit2 default: on; git does not on checkout). */
static inline int agon_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
#endif
