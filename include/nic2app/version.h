/* SPDX-License-Identifier: MIT */
/* version: the program's version and where installed helper programs live. */
#ifndef NIC2APP_VERSION_H
#define NIC2APP_VERSION_H

#ifndef NIC2APP_VERSION
#define NIC2APP_VERSION "0.0.0"
#endif
#ifndef NIC2APP_LIBEXECDIR
#define NIC2APP_LIBEXECDIR "/usr/local/libexec/nic2app"
#endif

#endif
