#ifndef AGON_CGIT2_SHIM_H
#define AGON_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/repository.h>
#endif
