/* xenfb-agent: the guest-side tool. Each subcommand is one
 * function taking the arguments after its name. */
#ifndef XFB_AGENT_H
#define XFB_AGENT_H

/* `xenfb-agent check`: the doctor. Exit status for main(). */
int agent_check(int argc, char **argv);

/* `xenfb-agent clipboard`: the X selections and dom0's clipboard, for
 * one X session (needs X: built with the guest side only). */
int agent_clipboard(int argc, char **argv);

#endif
