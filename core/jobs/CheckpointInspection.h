#pragma once

#include "common/Outcome.h"
#include "project/ProjectTypes.h"

#include <QStringList>
#include <QVector>

#include <cstdint>
#include <vector>

namespace ckptlab {

// What `ckptlab-cli inspect` shows before anyone spends GPU hours on a checkpoint.
struct CheckpointInspection {
    CheckpointInfo checkpoint;      // the scan's facts: family, parameters, dtype, size, status
    QStringList config;             // "layers 12", "hidden 768", ... (empty when config.json is unusable)
    struct Tensor {
        QString name;
        QString dtype;
        QVector<qint64> shape;
    };
    QVector<Tensor> tensors;        // from the safetensors headers, in file order
};

Outcome<CheckpointInspection> inspectCheckpoint(const QString& folder);

// The logits of one sequence, [tokens, vocab] row-major float32.
struct SequenceLogits {
    int tokens = 0;
    int vocab = 0;
    std::vector<float> values;
};

// Loads the checkpoint into the engine (dtype fp32|bf16|fp16, device cpu|cuda:N) and runs
// one forward pass. Errors name the file, tensor or argument at fault.
Outcome<SequenceLogits> computeLogits(const QString& folder, const std::vector<std::int64_t>& ids, const QString& dtype,
                                      const QString& device);

} // namespace ckptlab
