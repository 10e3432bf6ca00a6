// ckptlab-cli: the headless entry point. Parses the sub-command and hands over; the work is
// done by core/ (import, list) and by the same figure code the GUI uses (plot).

#include "cli/CliCommand.h"

#include "render/OffscreenApplication.h"

#include <QCoreApplication>

#include <memory>

namespace {

const char* const kUsage =
    "usage: ckptlab-cli COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  import --project P.ckptlab [--strict] [--id-pattern RE] [--final-step N] FILE_OR_DIR...\n"
    "  list   --project P.ckptlab checkpoints|tasks|recipes|results [--json]\n"
    "  plot   --project P.ckptlab trajectory|change|sensitivity|gain --task T [--format F] [--shots K]\n"
    "         [--metric M] [--ft base,mnli,...] [--series S] [--x index|step|tokens] [--log-x]\n"
    "         [--style paper|screen] --out FIG.png|pdf|svg [--data POINTS.csv]\n"
    "  scan   --project P.ckptlab DIR...   find checkpoint folders and record them\n"
    "  inspect CHECKPOINT_DIR              family, config, parameters, dtype, tensors, status\n"
    "  forward CHECKPOINT_DIR --ids 5,17,42 [--dtype fp32|bf16|fp16] [--device cpu|cuda:0] --out LOGITS.f32\n"
    "  eval   --project P --checkpoints all|ID,... --task SPEC.json [--formats default,instruct] [--shots 0,4]\n"
    "         [--device cpu|cuda:0] [--dtype fp32|bf16] [--limit N] [--batch-size N]\n"
    "  plan   --project P --checkpoints SERIES[:FROM-TO] --finetune SPEC,... [--epochs 3] [--lr 2e-6,1e-5]\n"
    "         [--batch 8] [--eval SPEC,...] [--eval-formats *] [--shots 0] [--dry-run]   (or --plan PLAN.json)\n"
    "  run    --project P [--device cpu|cuda:0] [--max-runs N] [--retry-interrupted]   execute queued runs\n"
    "  worker RUN_DIR [--device cpu|cuda:0]   execute one run folder (spec.json); never opens the project\n"
    "  submit --project P --slurm [--partition X] [--account A] [--qos Q] [--time HH:MM:SS] [--gpus-per-run N]\n"
    "         [--cpus-per-run N] [--mem SIZE] [--max-parallel K] [--setup LINES] [--sbatch-arg ARG]...\n"
    "                             every queued run as one Slurm job array\n"
    "  status --project P        every run's state (Slurm tasks: pending/running and why)\n"
    "  cancel --project P RUN_ID cancel one run (scancel of its array task)\n"
    "  collect --project P [--wait] [--timeout S]   import finished run folders (again: no change)\n"
    "  demo   --project P [--minutes]   pre-train a tiny model, fine-tune and evaluate its checkpoints\n"
    "  tokenize   --tokenizer DIR_OR_JSON [--add-special-tokens] --jsonl < strings.jsonl\n"
    "  detokenize --tokenizer DIR_OR_JSON [--skip-special-tokens] --jsonl < ids.jsonl\n"
    "  info   versions, threads and compute devices\n"
    "\n"
    "ckptlab-cli COMMAND --help shows every option of a command.\n";

} // namespace

int main(int argc, char** argv)
{
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    // Headless: a QCoreApplication, except for plot, whose figures are drawn by widgets on an
    // offscreen platform (render/OffscreenApplication.h), so no command needs a display.
    std::unique_ptr<QCoreApplication> app;
    if (command == QLatin1String("plot"))
        app = ckptlab::makeOffscreenApplication(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ckptlab"));
    QCoreApplication::setOrganizationName(QStringLiteral("ckptlab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CKPTLAB_VERSION));

    const QStringList rest = QCoreApplication::arguments().mid(2);
    if (command == QLatin1String("import"))
        return ckptlab::cli::runImport(rest);
    if (command == QLatin1String("list"))
        return ckptlab::cli::runList(rest);
    if (command == QLatin1String("plot"))
        return ckptlab::cli::runPlot(rest);
    if (command == QLatin1String("plan"))
        return ckptlab::cli::runPlan(rest);
    if (command == QLatin1String("run"))
        return ckptlab::cli::runRun(rest);
    if (command == QLatin1String("worker"))
        return ckptlab::cli::runWorkerCommand(rest);
    if (command == QLatin1String("submit"))
        return ckptlab::cli::runSubmit(rest);
    if (command == QLatin1String("status"))
        return ckptlab::cli::runStatus(rest);
    if (command == QLatin1String("cancel"))
        return ckptlab::cli::runCancel(rest);
    if (command == QLatin1String("collect"))
        return ckptlab::cli::runCollect(rest);
    if (command == QLatin1String("demo"))
        return ckptlab::cli::runDemo(rest);
    if (command == QLatin1String("eval"))
        return ckptlab::cli::runEval(rest);
    if (command == QLatin1String("tokenize"))
        return ckptlab::cli::runTokenize(rest);
    if (command == QLatin1String("detokenize"))
        return ckptlab::cli::runDetokenize(rest);
    if (command == QLatin1String("inspect"))
        return ckptlab::cli::runInspect(rest);
    if (command == QLatin1String("forward"))
        return ckptlab::cli::runForward(rest);
    if (command == QLatin1String("scan"))
        return ckptlab::cli::runScan(rest);
    if (command == QLatin1String("info") || command == QLatin1String("--version"))
        return ckptlab::cli::runInfo(rest);
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        fputs(kUsage, command.isEmpty() ? stderr : stdout);
        return command.isEmpty() ? 2 : 0;
    }
    fprintf(stderr, "ckptlab-cli: unknown command \"%s\"\n\n%s", argv[1], kUsage);
    return 2;
}
