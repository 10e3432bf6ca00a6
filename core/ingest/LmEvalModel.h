#pragma once

// Which model an lm-evaluation-harness results file is about: the pretrained name and revision
// in the model arguments, else the file and folder names.

#include "common/Outcome.h"
#include "ingest/ModelIdParser.h"

#include <QJsonObject>

#include <optional>

namespace ckptlab {

struct LmEvalModel {
    std::optional<ParsedModelId> model; // empty when the checkpoint cannot be told
    QString modelRef;                   // "EleutherAI/pythia-160m@step3000", or the file name
    QString reason;                     // why model is empty
    QString keyPath;                    // where the model was looked for
};

// Series: the last part of the pretrained name ("pythia-160m"), else model_name, else the folder
// name ("EleutherAI__pythia-160m" -> "pythia-160m"), else defaultSeries.
// Checkpoint: the revision in the model arguments (or config.model_revision), else a revision in
// the file or folder names (results_step3000.json, pythia-160m_step143000.json,
// step3000/results.json), else "main" for a hub model named without one (what the harness
// evaluates then). A pretrained name that is itself an id the parser reads
// ("/ckpts/olmo1b_hf_ckpt1000_mnli_3epoch_2e-6") gives its recipe and shots too.
// Fails only when the model arguments are malformed (the message names the key path).
Outcome<LmEvalModel> identifyLmEvalModel(const QJsonObject& root, const QString& filePath, const ModelIdParser& parser,
                                         const QString& defaultSeries);

} // namespace ckptlab
