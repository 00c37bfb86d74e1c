#include "workflows/definitions/productworkflows.h"
#include "workflows/worker.h"

int main(int argc, char *argv[])
{
    hms::server::wf::Registry registry;
    hms::server::wf::registerProductWorkflows(registry);
    return hms::server::wf::runWorkerMain(argc, argv, registry, "hms-worker");
}
