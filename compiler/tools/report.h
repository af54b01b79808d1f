/* report.h: `mgc report RUN.csv... -o report.html`, the loss curves of training
 * runs (the trainers' --log files) overlaid on one self-contained HTML page. */
#ifndef MGC_REPORT_H
#define MGC_REPORT_H

/* argv[0] is "report"; returns the exit status (0, or 1 on any error). */
int report_main(int argc, char **argv);

#endif
