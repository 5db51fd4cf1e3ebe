/* alloclab demo: placeholder until the demos land (see src/cli/demo_*.c). */
#include "cli.h"

int al_cmd_demo(int argc, char **argv)
{
    (void)argc; (void)argv;
    return al_cli_usage_error("no demos are built yet");
}
