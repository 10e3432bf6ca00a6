#include "ingest/ModelIdParser.h"

#include "project/ProjectWriter.h"

#include <QStringList>

namespace ckptlab {

namespace {

constexpr auto kCaseInsensitive = QRegularExpression::CaseInsensitiveOption;

// A checkpoint as the built-in id forms write it; parseRevision() reads the text.
const QString kCheckpointPart = QStringLiteral(
    R"((?:ckpt|checkpoint-|global_step)\d+|step\d+(?:-tokens\d+(?:\.\d+)?[kmbt]?)?|main|final|latest)");
const QString kShotsSuffix = QStringLiteral(R"((?:_(?<shots>\d+)-?shots?)?)");
const QString kLearningRate = QStringLiteral(R"(\d+(?:\.\d+)?(?:e[-+]?\d+)?)");

// <series>_hf_ckpt<S>_<task>_<E>epoch_<LR>[_<k>shots], also with main/final/latest or step<S>.
const QRegularExpression& fineTunedRule()
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(?:(?<series>.+?)_)?(?:hf_)?(?<ckpt>%1)_(?<ft>.+?)_(?<epochs>\d+(?:\.\d+)?)[-_]?epochs?_(?<lr>%2)%3$)")
            .arg(kCheckpointPart, kLearningRate, kShotsSuffix),
        kCaseInsensitive);
    return re;
}

// <series>_checkpoint-<S>_original[_hf][_<k>shots], checkpoint-<S>[_<k>shots], pythia-160m_step1000, main.
const QRegularExpression& baseCheckpointRule()
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(?:(?<series>.+?)[_-])?(?:hf[_-])?(?<ckpt>%1)(?:_original)?(?:_hf)?%2$)")
            .arg(kCheckpointPart, kShotsSuffix),
        kCaseInsensitive);
    return re;
}

// <series>_original[_hf][_<k>shots]: the base model at the final checkpoint.
const QRegularExpression& originalFinalRule()
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(?<series>.+?)_(?:hf_)?original(?:_hf)?%1$)").arg(kShotsSuffix), kCaseInsensitive);
    return re;
}

const QRegularExpression& atRevisionRule()
{
    static const QRegularExpression re(QStringLiteral(R"(^(?<name>[^@]+)@(?<revision>[^@]+)$)"));
    return re;
}

const QStringList& userGroupNames()
{
    static const QStringList names = {QStringLiteral("series"), QStringLiteral("step"),   QStringLiteral("tokens"),
                                      QStringLiteral("ft"),     QStringLiteral("epochs"), QStringLiteral("lr"),
                                      QStringLiteral("shots")};
    return names;
}

std::optional<double> parseNumber(const QString& text)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

const QString kBuiltInFormsHint = QStringLiteral(
    "it matches none of the built-in id forms (<series>_hf_ckpt<S>_<task>_<E>epoch_<LR>[_<k>shots], "
    "<series>_checkpoint-<S>_original[_hf_<k>shots], <series>_original_hf[_<k>shots], checkpoint-<S>, "
    "<name>@<revision>, step<S>[-tokens<N>B]); give an id pattern to read other forms");

} // namespace

std::optional<double> parseTokenCount(const QString& text)
{
    static const QRegularExpression re(QStringLiteral(R"(^(\d+(?:\.\d+)?(?:e\+?\d+)?)([kmbt]?)$)"), kCaseInsensitive);
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    double count = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    if (unit == QLatin1String("k"))
        count *= 1e3;
    else if (unit == QLatin1String("m"))
        count *= 1e6;
    else if (unit == QLatin1String("b"))
        count *= 1e9;
    else if (unit == QLatin1String("t"))
        count *= 1e12;
    return count;
}

std::optional<CheckpointRevision> parseRevision(const QString& text)
{
    static const QRegularExpression olmoStep(QStringLiteral(R"(^step(\d+)(?:-tokens(\d+(?:\.\d+)?[kmbt]?))?$)"),
                                             kCaseInsensitive);
    static const QRegularExpression otherStep(QStringLiteral(R"(^(?:checkpoint-|ckpt|global_step|global-step)?(\d+)$)"),
                                              kCaseInsensitive);
    static const QRegularExpression finalName(QStringLiteral(R"(^(main|final|latest)$)"), kCaseInsensitive);

    const QString revision = text.trimmed();
    CheckpointRevision result;
    if (const auto m = finalName.match(revision); m.hasMatch()) {
        result.isFinal = true;
        result.label = m.captured(1).toLower();
        return result;
    }
    QString stepText;
    if (const auto m = olmoStep.match(revision); m.hasMatch()) {
        stepText = m.captured(1);
        if (!m.captured(2).isEmpty())
            result.tokens = parseTokenCount(m.captured(2));
    } else if (const auto m2 = otherStep.match(revision); m2.hasMatch()) {
        stepText = m2.captured(1);
    } else {
        return std::nullopt;
    }
    bool ok = false;
    result.step = stepText.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    result.label = QString::number(*result.step);
    return result;
}

QString lastPathPart(const QString& name)
{
    QString trimmed = name.trimmed();
    while (trimmed.endsWith(QLatin1Char('/')) || trimmed.endsWith(QLatin1Char('\\')))
        trimmed.chop(1);
    const qsizetype cut = std::max(trimmed.lastIndexOf(QLatin1Char('/')), trimmed.lastIndexOf(QLatin1Char('\\')));
    return trimmed.mid(cut + 1);
}

QString ParsedModelId::modelKey() const
{
    return checkpoint.series + QLatin1Char('\n') + checkpointIdentity(checkpoint) + QLatin1Char('\n')
        + (recipe ? recipe->key() : QStringLiteral("base"));
}

Outcome<ModelIdParser> ModelIdParser::create(const QString& userPattern, std::optional<qint64> finalStep)
{
    ModelIdParser parser;
    parser.m_finalStep = finalStep;
    if (userPattern.isEmpty())
        return parser;

    QRegularExpression re(userPattern);
    if (!re.isValid())
        return Outcome<ModelIdParser>::failure(
            QStringLiteral("The id pattern \"%1\" is not a valid regular expression: %2 (at character %3).")
                .arg(userPattern, re.errorString())
                .arg(re.patternErrorOffset() + 1));
    int known = 0;
    for (const QString& group : re.namedCaptureGroups()) {
        if (group.isEmpty())
            continue;
        if (!userGroupNames().contains(group))
            return Outcome<ModelIdParser>::failure(
                QStringLiteral("The id pattern \"%1\" names an unknown group \"%2\"; the known groups are %3.")
                    .arg(userPattern, group, userGroupNames().join(QStringLiteral(", "))));
        ++known;
    }
    if (known == 0)
        return Outcome<ModelIdParser>::failure(
            QStringLiteral("The id pattern \"%1\" has no named group; name the parts it reads, e.g. "
                           "(?<series>[a-z0-9-]+)_step(?<step>\\d+). Known groups: %2.")
                .arg(userPattern, userGroupNames().join(QStringLiteral(", "))));
    parser.m_userPattern = re;
    return parser;
}

void ModelIdParser::applyRevision(ParsedModelId& parsed, const CheckpointRevision& revision) const
{
    parsed.checkpoint.isFinal = revision.isFinal;
    parsed.checkpoint.label = revision.label;
    parsed.checkpoint.step = revision.isFinal ? m_finalStep : revision.step;
    if (revision.tokens)
        parsed.checkpoint.tokens = revision.tokens;
}

Outcome<ParsedModelId> ModelIdParser::parse(const QString& rawId, const ModelIdContext& context) const
{
    const QString id = rawId.trimmed();
    if (id.isEmpty())
        return Outcome<ParsedModelId>::failure(QStringLiteral("the model id is empty"));

    Outcome<ParsedModelId> parsed = Outcome<ParsedModelId>::failure({});
    if (m_userPattern) {
        parsed = parseWithUserPattern(id, context);
    } else if (!context.revision.trimmed().isEmpty()) {
        // "EleutherAI/pythia-160m-deduped" + revision "step3000": the name is the series.
        const auto revision = parseRevision(context.revision);
        if (!revision)
            return Outcome<ParsedModelId>::failure(
                QStringLiteral("the revision \"%1\" names no checkpoint (expected step<S>, step<S>-tokens<N>B, "
                               "checkpoint-<S>, main, final or latest)")
                    .arg(context.revision));
        ParsedModelId result;
        result.checkpoint.series = lastPathPart(id);
        result.seriesFromId = !result.checkpoint.series.isEmpty();
        applyRevision(result, *revision);
        parsed = result;
    } else {
        parsed = parseWithBuiltInRules(id);
    }
    if (parsed && parsed->checkpoint.series.isEmpty())
        parsed->checkpoint.series = context.defaultSeries;
    return parsed;
}

Outcome<ParsedModelId> ModelIdParser::parseWithBuiltInRules(const QString& id) const
{
    using Out = Outcome<ParsedModelId>;
    ParsedModelId result;

    if (const auto m = atRevisionRule().match(id); m.hasMatch()) {
        const auto revision = parseRevision(m.captured(QStringLiteral("revision")));
        if (!revision)
            return Out::failure(QStringLiteral("the revision after '@' (\"%1\") names no checkpoint")
                                    .arg(m.captured(QStringLiteral("revision"))));
        result.checkpoint.series = lastPathPart(m.captured(QStringLiteral("name")));
        result.seriesFromId = !result.checkpoint.series.isEmpty();
        applyRevision(result, *revision);
        return result;
    }

    QRegularExpressionMatch m = fineTunedRule().match(id);
    if (m.hasMatch()) {
        RecipeInfo recipe;
        recipe.ftTask = m.captured(QStringLiteral("ft"));
        recipe.epochs = parseNumber(m.captured(QStringLiteral("epochs")));
        recipe.learningRate = parseNumber(m.captured(QStringLiteral("lr")));
        result.recipe = recipe;
    } else if (m = baseCheckpointRule().match(id); !m.hasMatch()) {
        m = originalFinalRule().match(id);
        if (!m.hasMatch())
            return Out::failure(kBuiltInFormsHint);
        // The study's name for the final checkpoint; its identity is "final" whatever the label.
        applyRevision(result, CheckpointRevision{std::nullopt, std::nullopt, true, QStringLiteral("main")});
    }

    result.checkpoint.series = m.captured(QStringLiteral("series"));
    result.seriesFromId = !result.checkpoint.series.isEmpty();
    if (const QString ckpt = m.captured(QStringLiteral("ckpt")); !ckpt.isEmpty()) {
        const auto revision = parseRevision(ckpt);
        if (!revision)
            return Out::failure(QStringLiteral("\"%1\" names no checkpoint").arg(ckpt));
        applyRevision(result, *revision);
    }
    if (const QString shots = m.captured(QStringLiteral("shots")); !shots.isEmpty()) {
        result.shots = shots.toInt();
        result.shotsFromId = true;
    }
    return result;
}

Outcome<ParsedModelId> ModelIdParser::parseWithUserPattern(const QString& id, const ModelIdContext& context) const
{
    using Out = Outcome<ParsedModelId>;
    const QRegularExpressionMatch m = m_userPattern->match(id);
    if (!m.hasMatch())
        return Out::failure(QStringLiteral("it does not match the id pattern \"%1\"").arg(m_userPattern->pattern()));
    const auto group = [&m](const char* name) { return m.captured(QLatin1String(name)).trimmed(); };

    ParsedModelId result;
    result.checkpoint.series = group("series");
    result.seriesFromId = !result.checkpoint.series.isEmpty();

    const QString stepText = group("step");
    const QString revisionText = stepText.isEmpty() ? context.revision.trimmed() : stepText;
    if (revisionText.isEmpty())
        return Out::failure(QStringLiteral("the id pattern matched but gave no step (group \"step\")"));
    const auto revision = parseRevision(revisionText);
    if (!revision)
        return Out::failure(QStringLiteral("the step \"%1\" is not a number, main, final or latest").arg(revisionText));
    applyRevision(result, *revision);

    if (const QString tokens = group("tokens"); !tokens.isEmpty()) {
        result.checkpoint.tokens = parseTokenCount(tokens);
        if (!result.checkpoint.tokens)
            return Out::failure(QStringLiteral("the token count \"%1\" is not a number (with K, M, B or T)").arg(tokens));
    }

    const QString ft = group("ft");
    const QString epochs = group("epochs");
    const QString lr = group("lr");
    if (!ft.isEmpty()) {
        RecipeInfo recipe;
        recipe.ftTask = ft;
        if (!epochs.isEmpty() && !(recipe.epochs = parseNumber(epochs)))
            return Out::failure(QStringLiteral("the epochs \"%1\" are not a number").arg(epochs));
        if (!lr.isEmpty() && !(recipe.learningRate = parseNumber(lr)))
            return Out::failure(QStringLiteral("the learning rate \"%1\" is not a number").arg(lr));
        result.recipe = recipe;
    } else if (!epochs.isEmpty() || !lr.isEmpty()) {
        return Out::failure(QStringLiteral("the id pattern gave epochs or a learning rate but no fine-tuning task (group \"ft\")"));
    }

    if (const QString shots = group("shots"); !shots.isEmpty()) {
        bool ok = false;
        result.shots = shots.toInt(&ok);
        if (!ok || result.shots < 0)
            return Out::failure(QStringLiteral("the shots \"%1\" are not a whole number").arg(shots));
        result.shotsFromId = true;
    }
    return result;
}

} // namespace ckptlab
