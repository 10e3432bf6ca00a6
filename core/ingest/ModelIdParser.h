#pragma once

// Turns the model id a results file writes ("olmo1b_hf_ckpt424000_socialiqa_3epoch_2e-6_4shots",
// "pythia-160m@step143000", "checkpoint-1000") into a checkpoint, an optional fine-tuning recipe
// and a shot count. No I/O, no database: the importers call it per row.

#include "common/Outcome.h"
#include "project/ProjectTypes.h"

#include <QRegularExpression>
#include <QString>

#include <optional>

namespace ckptlab {

// A checkpoint named by a revision: "step143000", "step738000-tokens3095B", "checkpoint-1000",
// "ckpt342000", "global_step500", "main" / "final" / "latest".
struct CheckpointRevision {
    std::optional<qint64> step;
    std::optional<double> tokens;
    bool isFinal = false;
    QString label; // the step as text, or "main" / "final" / "latest"
};

// Parses a whole revision string; plain digits are accepted as a step.
std::optional<CheckpointRevision> parseRevision(const QString& revision);

// "3095B" -> 3.095e12; unit K, M, B or T (case-insensitive) or none.
std::optional<double> parseTokenCount(const QString& text);

// The last part of a path or hub name: "EleutherAI/pythia-160m" -> "pythia-160m".
QString lastPathPart(const QString& name);

struct ParsedModelId {
    CheckpointInfo checkpoint;        // series is empty when neither the id nor the caller names one
    std::optional<RecipeInfo> recipe; // set when the id names a fine-tuning recipe
    int shots = 0;
    bool shotsFromId = false;         // the id said how many shots (else 0 by default)
    bool seriesFromId = false;

    // Identity of the model within a project: series, checkpoint, recipe.
    QString modelKey() const;
};

struct ModelIdContext {
    QString defaultSeries; // used when the id names no series ("checkpoint-1000")
    QString revision;      // given beside the id (lm-eval "revision=step3000"); names the checkpoint
};

class ModelIdParser {
public:
    // The built-in rules only.
    ModelIdParser() = default;

    // userPattern: a regular expression with named groups series, step, tokens, ft, epochs, lr, shots
    // that replaces the built-in rules (searched anywhere in the id; anchor it with ^...$ if needed).
    // finalStep: the step given to the final checkpoint ("main"), unknown otherwise.
    static Outcome<ModelIdParser> create(const QString& userPattern = {}, std::optional<qint64> finalStep = {});

    // On failure the message is the reason, without the id (callers list the id beside it).
    Outcome<ParsedModelId> parse(const QString& id, const ModelIdContext& context = {}) const;

    bool hasUserPattern() const { return m_userPattern.has_value(); }

private:
    Outcome<ParsedModelId> parseWithUserPattern(const QString& id, const ModelIdContext& context) const;
    Outcome<ParsedModelId> parseWithBuiltInRules(const QString& id) const;
    void applyRevision(ParsedModelId& parsed, const CheckpointRevision& revision) const;

    std::optional<QRegularExpression> m_userPattern;
    std::optional<qint64> m_finalStep;
};

} // namespace ckptlab
