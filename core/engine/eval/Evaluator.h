#pragma once

// The evaluation entry point: a model, a codec, a task and a request in; metric summaries and
// every prediction out. Plain standard-library types (the model is only forward-declared), so
// core/jobs runs it on a worker thread without including torch.
//
// What happens:
// - the task's data is read and checked in full first (TaskDataError on bad data; nothing is
//   evaluated on a half-read task); training data only when demonstrations come from it;
// - prompts are rendered in the requested format with `shots` demonstrations (PromptFewShot.h);
// - classification: NextToken scoring (the study) or FullLabel log-likelihood -> metric "acc";
//   multiple choice: summed log-likelihood per choice -> "acc", divided by the choice's length
//   in characters -> "acc_norm"; generation: greedy decoding with the KV cache -> the spec's
//   metric first, then the other two of rouge_l, exact_match, f1;
// - work runs in batches, longest first, halved on out-of-memory; the cancellation flag is
//   read before every batch (EvalCancelled is thrown when it is set) and progress is reported
//   after every batch;
// - prompts longer than the model's positions are cut on the left (prediction.truncated).

#include "engine/eval/EvalTypes.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"

#include <atomic>

namespace ckptlab::engine {

class CausalLM;

EvalResult evaluate(CausalLM& model, const TextCodec& codec, const TaskSpec& spec, const EvalRequest& request,
                    const EvalProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

// The same on a task already loaded (with its training data when the request needs it).
EvalResult evaluate(CausalLM& model, const TextCodec& codec, const LoadedTask& task, const EvalRequest& request,
                    const EvalProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

} // namespace ckptlab::engine
