#include "cli/CliCommand.h"

#include "jobs/CheckpointInspection.h"

#include <QCommandLineParser>
#include <QLocale>
#include <QSaveFile>
#include <QtEndian>

namespace ckptlab::cli {

int runInspect(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("Checkpoint folder."), QStringLiteral("DIR"));
    if (!parser.parse(QStringList{QStringLiteral("inspect")} + arguments))
        return fail(parser.errorText(), 2);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("inspect: name one checkpoint folder"), 2);
    const auto inspection = inspectCheckpoint(parser.positionalArguments().first());
    if (!inspection)
        return fail(inspection.error());
    const CheckpointInfo& c = inspection->checkpoint;
    print(QStringLiteral("path        %1").arg(c.path));
    print(QStringLiteral("series      %1").arg(c.series));
    print(QStringLiteral("checkpoint  %1%2").arg(c.label, c.step ? QStringLiteral(" (step %1)").arg(*c.step) : QString()));
    if (c.tokens)
        print(QStringLiteral("tokens      %1").arg(QLocale::c().toString(qint64(*c.tokens))));
    print(QStringLiteral("family      %1").arg(c.family));
    if (c.parameters)
        print(QStringLiteral("parameters  %1").arg(QLocale::c().toString(*c.parameters)));
    if (!c.dtype.isEmpty())
        print(QStringLiteral("dtype       %1").arg(c.dtype));
    if (c.bytes)
        print(QStringLiteral("size        %1").arg(QLocale::c().formattedDataSize(*c.bytes, 1, QLocale::DataSizeSIFormat)));
    print(QStringLiteral("tokenizer   %1").arg(c.hasTokenizer ? QStringLiteral("found") : QStringLiteral("not found")));
    print(QStringLiteral("status      %1%2").arg(c.status, c.statusDetail.isEmpty() ? QString() : QStringLiteral(": ") + c.statusDetail));
    if (!inspection->config.isEmpty())
        print(QStringLiteral("config      %1").arg(inspection->config.join(QStringLiteral("\n            "))));
    print(QStringLiteral("tensors     %1").arg(inspection->tensors.size()));
    for (const auto& t : inspection->tensors) {
        QStringList dims;
        for (qint64 d : t.shape)
            dims << QString::number(d);
        print(QStringLiteral("  %1  %2  [%3]").arg(t.name, t.dtype, dims.join(QStringLiteral(", "))));
    }
    return c.status == QLatin1String("ok") ? 0 : 1;
}

int runForward(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("ids"), QStringLiteral("Token ids, comma-separated."), QStringLiteral("5,17,42")},
        {QStringLiteral("dtype"), QStringLiteral("fp32, bf16 or fp16 (default fp32)."), QStringLiteral("DTYPE"), QStringLiteral("fp32")},
        {QStringLiteral("device"), QStringLiteral("cpu or cuda:N (default cpu)."), QStringLiteral("DEVICE"), QStringLiteral("cpu")},
        {QStringLiteral("out"), QStringLiteral("Raw little-endian float32 logits [T, V]."), QStringLiteral("LOGITS.f32")},
    });
    parser.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("Checkpoint folder."), QStringLiteral("DIR"));
    if (!parser.parse(QStringList{QStringLiteral("forward")} + arguments))
        return fail(parser.errorText(), 2);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("forward: name one checkpoint folder"), 2);
    if (!parser.isSet(QStringLiteral("ids")) || !parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("forward: --ids and --out are required"), 2);
    std::vector<std::int64_t> ids;
    for (const QString& part : parser.value(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 id = part.trimmed().toLongLong(&ok);
        if (!ok || id < 0)
            return fail(QStringLiteral("forward: --ids must be non-negative whole numbers, got \"%1\"").arg(part), 2);
        ids.push_back(id);
    }
    const auto logits = computeLogits(parser.positionalArguments().first(), ids, parser.value(QStringLiteral("dtype")),
                                      parser.value(QStringLiteral("device")));
    if (!logits)
        return fail(QStringLiteral("forward: %1").arg(logits.error()));
    QSaveFile out(parser.value(QStringLiteral("out")));
    if (!out.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("forward: %1: %2").arg(out.fileName(), out.errorString()));
    QByteArray bytes(int(logits->values.size() * sizeof(float)), Qt::Uninitialized);
    qToLittleEndian<float>(logits->values.data(), qsizetype(logits->values.size()), bytes.data());
    out.write(bytes);
    if (!out.commit())
        return fail(QStringLiteral("forward: %1: %2").arg(out.fileName(), out.errorString()));
    print(QStringLiteral("logits [%1, %2] float32 -> %3").arg(logits->tokens).arg(logits->vocab).arg(out.fileName()));
    return 0;
}

} // namespace ckptlab::cli
