/* gen-triage.h — lka-gen --triage: evidence planting each kind of attachment
 * lka-attachments triage flags (tests/gen/gen-triage.c). */
#ifndef LKA_GEN_TRIAGE_H
#define LKA_GEN_TRIAGE_H

/* lka-gen --triage OUTDIR: argv[0] is "--triage".  Returns the exit code. */
int gen_triage_main(int argc, char **argv);

#endif
