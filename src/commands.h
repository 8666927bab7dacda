/* SPDX-License-Identifier: MIT */
/* commands: the entry point of each sub-command; argv[0] is the sub-command's name. */
#ifndef NIC2APP_COMMANDS_H
#define NIC2APP_COMMANDS_H

int cmd_tour(int argc, char **argv);
int cmd_sockets(int argc, char **argv);
int cmd_fds(int argc, char **argv);
int cmd_journey(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_nic(int argc, char **argv);
int cmd_exporter(int argc, char **argv);

#endif
