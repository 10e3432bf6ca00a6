#include "engine/eval/EvalKinds.h"

#include "engine/EngineError.h"
#include "engine/eval/EvalGeneration.h"
#include "engine/eval/MetricText.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ckptlab::engine {

namespace {

// Counts finished items when an item has one or more sequences.
class ItemTracker {
public:
    ItemTracker(std::vector<size_t> sequencesPerItem, std::function<void(int64_t)> report)
        : m_remaining(std::move(sequencesPerItem))
        , m_report(std::move(report))
    {
    }
    void sequenceDone(size_t item)
    {
        if (--m_remaining[item] == 0) {
            ++m_done;
            if (m_report)
                m_report(m_done);
        }
    }

private:
    std::vector<size_t> m_remaining;
    int64_t m_done = 0;
    std::function<void(int64_t)> m_report;
};

int64_t utf8Length(const std::string& s)
{
    return std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void setLimits(EvalJob& job, int64_t longest)
{
    if (job.limitsFor)
        job.run.limits = job.limitsFor(std::max<int64_t>(1, longest));
}

size_t argmax(const std::vector<double>& v)
{
    return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin()); // first of ties
}

EvalPrediction basePrediction(const EvalJob& job, size_t i)
{
    EvalPrediction p;
    p.index = static_cast<int64_t>(i);
    p.line = job.items[i]->line;
    return p;
}

// Log-likelihood of each (item, option) pair: scores[item][option].
std::vector<std::vector<double>> optionLogLikelihoods(EvalJob& job, const std::vector<std::vector<std::string>>& options,
                                                      KindOutcome& out, std::vector<EvalPrediction>& predictions)
{
    std::vector<ScoreSequence> sequences;
    std::vector<std::pair<size_t, size_t>> owner;
    for (size_t i = 0; i < job.items.size(); ++i) {
        for (size_t o = 0; o < options[i].size(); ++o) {
            auto [context, continuation] = splitContinuation(job.codec, job.prompts[i], options[i][o]);
            if (continuation.empty())
                throw EngineError(job.spec.sourcePath, "item on line " + std::to_string(job.items[i]->line)
                                                           + ": the answer \"" + options[i][o] + "\" encodes to no tokens");
            bool cut = false;
            sequences.push_back(makeScoreSequence(context, continuation, job.maxLength, job.fallbackToken, &cut));
            predictions[i].truncated = predictions[i].truncated || cut;
            predictions[i].promptTokens = static_cast<int64_t>(sequences.back().tokens.size() - continuation.size() + 1);
            out.tokens += static_cast<int64_t>(sequences.back().tokens.size());
            owner.emplace_back(i, o);
        }
    }
    std::vector<size_t> perItem(job.items.size());
    for (const auto& [i, o] : owner)
        ++perItem[i];
    ItemTracker tracker(std::move(perItem), job.itemsDone);
    job.run.onDone = [&](size_t s) { tracker.sequenceDone(owner[s].first); };
    int64_t longest = 0;
    for (const ScoreSequence& s : sequences)
        longest = std::max<int64_t>(longest, static_cast<int64_t>(s.tokens.size()));
    setLimits(job, longest);
    const std::vector<ScoreOutcome> scored = scoreSequences(job.model, sequences, {}, job.run);
    std::vector<std::vector<double>> result(job.items.size());
    for (size_t s = 0; s < scored.size(); ++s)
        result[owner[s].first].push_back(scored[s].logProb);
    return result;
}

} // namespace

std::pair<std::vector<int64_t>, std::vector<int64_t>> splitContinuation(const TextCodec& codec, const std::string& prompt,
                                                                         const std::string& continuation)
{
    size_t keep = prompt.size();
    while (keep > 0 && (prompt[keep - 1] == ' ' || prompt[keep - 1] == '\t' || prompt[keep - 1] == '\n' || prompt[keep - 1] == '\r'))
        --keep;
    const std::string context = prompt.substr(0, keep);
    const std::string moved = prompt.substr(keep) + continuation;
    std::vector<int64_t> contextIds = codec.encode(context);
    const std::vector<int64_t> whole = codec.encode(context + moved);
    if (whole.size() > contextIds.size() && std::equal(contextIds.begin(), contextIds.end(), whole.begin()))
        return {std::move(contextIds), std::vector<int64_t>(whole.begin() + static_cast<std::ptrdiff_t>(contextIds.size()), whole.end())};
    return {std::move(contextIds), codec.encode(moved)};
}

std::vector<std::vector<int64_t>> labelCandidates(const TextCodec& codec, const TaskSpec& spec)
{
    std::map<int64_t, std::vector<size_t>> labelsOfToken;
    std::vector<std::vector<int64_t>> firsts(spec.labelWords.size());
    for (size_t l = 0; l < spec.labelWords.size(); ++l) {
        for (const std::string& variant : {spec.labelWords[l], " " + spec.labelWords[l]}) {
            const std::vector<int64_t> ids = codec.encode(variant);
            if (ids.empty())
                throw EngineError(spec.sourcePath, "label word \"" + spec.labelWords[l] + "\" encodes to no tokens");
            if (std::find(firsts[l].begin(), firsts[l].end(), ids.front()) == firsts[l].end()) {
                firsts[l].push_back(ids.front());
                labelsOfToken[ids.front()].push_back(l);
            }
        }
    }
    std::vector<std::vector<int64_t>> out(spec.labelWords.size());
    for (size_t l = 0; l < firsts.size(); ++l) {
        for (int64_t id : firsts[l]) {
            if (labelsOfToken[id].size() == 1)
                out[l].push_back(id);
        }
        if (out[l].empty())
            throw EngineError(spec.sourcePath, "label word \"" + spec.labelWords[l]
                                                   + "\" begins with the same token as another label word; use full-label scoring");
    }
    return out;
}

KindOutcome runClassification(EvalJob& job)
{
    KindOutcome out;
    out.metricNames = {"acc"};
    const TaskSpec& spec = job.spec;
    std::vector<EvalPrediction> predictions;
    for (size_t i = 0; i < job.items.size(); ++i)
        predictions.push_back(basePrediction(job, i));

    std::vector<size_t> chosen(job.items.size());
    std::vector<double> chosenLogProb(job.items.size());
    if (job.request.scoring == ClassificationScoring::NextToken) {
        out.scoring = "next_token";
        const auto perLabel = labelCandidates(job.codec, spec);
        std::vector<int64_t> candidates;
        std::vector<size_t> labelOf;
        for (size_t l = 0; l < perLabel.size(); ++l) {
            for (int64_t id : perLabel[l]) {
                candidates.push_back(id);
                labelOf.push_back(l);
            }
        }
        std::vector<ScoreSequence> sequences;
        for (size_t i = 0; i < job.items.size(); ++i) {
            bool cut = false;
            sequences.push_back(makeScoreSequence(job.codec.encode(job.prompts[i]), {}, job.maxLength, job.fallbackToken, &cut));
            predictions[i].truncated = cut;
            predictions[i].promptTokens = static_cast<int64_t>(sequences.back().tokens.size());
            out.tokens += predictions[i].promptTokens;
        }
        ItemTracker tracker(std::vector<size_t>(job.items.size(), 1), job.itemsDone);
        job.run.onDone = [&](size_t s) { tracker.sequenceDone(s); };
        int64_t longest = 0;
        for (const ScoreSequence& s : sequences)
            longest = std::max<int64_t>(longest, static_cast<int64_t>(s.tokens.size()));
        setLimits(job, longest);
        const std::vector<ScoreOutcome> scored = scoreSequences(job.model, sequences, candidates, job.run);
        for (size_t i = 0; i < scored.size(); ++i) {
            const std::vector<double>& logits = scored[i].candidateLogits;
            const size_t best = argmax(logits);
            double total = 0.0;
            for (double v : logits)
                total += std::exp(v - logits[best]);
            chosen[i] = labelOf[best];
            chosenLogProb[i] = -std::log(total); // restricted softmax of the winning token
        }
    } else {
        out.scoring = "full_label";
        const std::vector<std::vector<std::string>> options(job.items.size(), spec.labelWords);
        const auto logLikelihoods = optionLogLikelihoods(job, options, out, predictions);
        for (size_t i = 0; i < job.items.size(); ++i) {
            chosen[i] = argmax(logLikelihoods[i]);
            chosenLogProb[i] = logLikelihoods[i][chosen[i]];
        }
    }
    for (size_t i = 0; i < job.items.size(); ++i) {
        EvalPrediction& p = predictions[i];
        p.output = spec.labelWords[chosen[i]];
        p.target = spec.labelWords[static_cast<size_t>(job.items[i]->labelIndex)];
        p.logProb = chosenLogProb[i];
        p.scores = {static_cast<int64_t>(chosen[i]) == job.items[i]->labelIndex ? 1.0 : 0.0};
    }
    out.predictions = std::move(predictions);
    return out;
}

KindOutcome runMultipleChoice(EvalJob& job)
{
    KindOutcome out;
    out.scoring = "loglikelihood";
    out.metricNames = {"acc", "acc_norm"};
    std::vector<EvalPrediction> predictions;
    std::vector<std::vector<std::string>> options;
    for (size_t i = 0; i < job.items.size(); ++i) {
        predictions.push_back(basePrediction(job, i));
        std::vector<std::string> continuations;
        for (const std::string& choice : job.items[i]->choices)
            continuations.push_back(job.spec.choicePrefix + choice);
        options.push_back(std::move(continuations));
    }
    const auto logLikelihoods = optionLogLikelihoods(job, options, out, predictions);
    for (size_t i = 0; i < job.items.size(); ++i) {
        const TaskExample& item = *job.items[i];
        std::vector<double> normalised;
        for (size_t c = 0; c < item.choices.size(); ++c)
            normalised.push_back(logLikelihoods[i][c] / static_cast<double>(std::max<int64_t>(1, utf8Length(item.choices[c]))));
        const size_t acc = argmax(logLikelihoods[i]), accNorm = argmax(normalised);
        EvalPrediction& p = predictions[i];
        p.output = item.choices[acc];
        p.target = item.choices[static_cast<size_t>(item.answerIndex)];
        p.logProb = logLikelihoods[i][acc];
        p.scores = {static_cast<int64_t>(acc) == item.answerIndex ? 1.0 : 0.0,
                    static_cast<int64_t>(accNorm) == item.answerIndex ? 1.0 : 0.0};
    }
    out.predictions = std::move(predictions);
    return out;
}

KindOutcome runGeneration(EvalJob& job)
{
    KindOutcome out;
    out.scoring = "greedy";
    const TaskSpec& spec = job.spec;
    const TaskMetric order[] = {spec.metric, TaskMetric::RougeL, TaskMetric::ExactMatch, TaskMetric::TokenF1};
    std::vector<TaskMetric> metrics;
    for (TaskMetric m : order) {
        if (std::find(metrics.begin(), metrics.end(), m) == metrics.end())
            metrics.push_back(m);
    }
    for (TaskMetric m : metrics)
        out.metricNames.push_back(taskMetricName(m));

    GenerationSettings settings;
    settings.maxNewTokens = job.request.maxNewTokens > 0 ? job.request.maxNewTokens : spec.generation.maxNewTokens;
    settings.stopAtNewline = job.request.stopAtNewline.value_or(spec.generation.stopAtNewline);
    settings.stopStrings = spec.generation.stopStrings;
    settings.stopStrings.insert(settings.stopStrings.end(), job.request.stopStrings.begin(), job.request.stopStrings.end());
    settings.eosIds = job.eosIds;
    const int64_t room = job.maxLength - settings.maxNewTokens;
    if (room < 1)
        throw EngineError(spec.sourcePath, std::to_string(settings.maxNewTokens) + " new tokens do not fit the model's "
                                               + std::to_string(job.maxLength) + " positions");
    std::vector<EvalPrediction> predictions;
    std::vector<std::vector<int64_t>> prompts;
    for (size_t i = 0; i < job.items.size(); ++i) {
        EvalPrediction p = basePrediction(job, i);
        std::vector<int64_t> ids = job.codec.encode(job.prompts[i]);
        if (ids.empty())
            ids.push_back(job.fallbackToken);
        if (static_cast<int64_t>(ids.size()) > room) {
            ids.erase(ids.begin(), ids.end() - room);
            p.truncated = true;
        }
        p.promptTokens = static_cast<int64_t>(ids.size());
        out.tokens += p.promptTokens;
        prompts.push_back(std::move(ids));
        predictions.push_back(std::move(p));
    }
    ItemTracker tracker(std::vector<size_t>(job.items.size(), 1), job.itemsDone);
    job.run.onDone = [&](size_t s) { tracker.sequenceDone(s); };
    int64_t longest = 0;
    for (const auto& ids : prompts)
        longest = std::max<int64_t>(longest, static_cast<int64_t>(ids.size()) + settings.maxNewTokens);
    setLimits(job, longest);
    std::vector<GeneratedText> generated = generateGreedy(job.model, &job.codec, prompts, settings, job.run);
    for (size_t i = 0; i < job.items.size(); ++i) {
        EvalPrediction& p = predictions[i];
        p.output = std::move(generated[i].text);
        p.target = job.items[i]->target;
        p.logProb = generated[i].logProb;
        out.tokens += static_cast<int64_t>(generated[i].tokens.size());
        for (TaskMetric m : metrics) {
            if (m == TaskMetric::RougeL)
                p.scores.push_back(rougeL(p.target, p.output).f);
            else if (m == TaskMetric::ExactMatch)
                p.scores.push_back(exactMatch(p.target, p.output));
            else
                p.scores.push_back(tokenF1(p.target, p.output));
        }
    }
    out.predictions = std::move(predictions);
    return out;
}

} // namespace ckptlab::engine
