#pragma once

// The demo study's four tasks, drawn from the demo world (engine/DemoCorpus.h) so that
// pre-training on its corpus helps them:
//   sentiment  classification   "review: the soup was lovely.\nthe review was" -> positive | negative
//   antonyms   generation       "the opposite of hot is" -> " cold." (exact match, stops at a newline)
//   colours    multiple choice  "question: what colour is the kazu?\nanswer:" -> one of four colours
//   compare    classification   "question: is 12 more than 7?\nanswer:" -> yes | no
// Each has a train and an eval split with no item in common (the antonym and colour splits do
// not even share a word or a creature) and the formats "default" (the corpus's phrasing),
// "instruct" and "inputoutput". Standard library only.

#include "engine/demo/DemoCorpus.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckptlab::engine {

// The most train + eval items a task can have (the antonym pairs run out first).
int demoTaskCapacity(const DemoWorld& world);

// Writes directory/<task>.json with <task>_train.jsonl and <task>_eval.jsonl beside it for
// every task; returns the spec paths. The directory must exist. Throws EngineError when a file
// cannot be written, std::invalid_argument when the world has too few items for the sizes.
std::vector<std::string> writeDemoTasks(const DemoWorld& world, uint64_t seed, int trainExamples, int evalExamples,
                                        const std::string& directory);

} // namespace ckptlab::engine
