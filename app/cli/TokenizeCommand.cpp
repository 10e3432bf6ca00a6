#include "cli/CliCommand.h"

#include "jobs/TextTokenizer.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <cstdio>
#include <iostream>
#include <string>

namespace ckptlab::cli {

namespace {

// One JSON value per line: Qt parses only arrays and objects at the top, so wrap the line.
std::optional<QJsonValue> parseLine(const std::string& line)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + QByteArray::fromStdString(line) + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().first();
}

QByteArray jsonOf(const QJsonValue& value)
{
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

int run(const QStringList& arguments, bool encode)
{
    const QString command = encode ? QStringLiteral("tokenize") : QStringLiteral("detokenize");
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("tokenizer"), QStringLiteral("tokenizer.json, or a folder holding it."), QStringLiteral("DIR_OR_JSON")},
        {QStringLiteral("jsonl"), QStringLiteral("One JSON value per line in and out (the only mode).")},
        {QStringLiteral("add-special-tokens"), QStringLiteral("tokenize: add the post-processor's special tokens.")},
        {QStringLiteral("skip-special-tokens"), QStringLiteral("detokenize: leave special tokens out.")},
    });
    if (!parser.parse(QStringList{command} + arguments))
        return fail(parser.errorText(), 2);
    if (!parser.isSet(QStringLiteral("tokenizer")))
        return fail(command + QStringLiteral(": --tokenizer is required"), 2);
    const auto tokenizer = TextTokenizer::load(parser.value(QStringLiteral("tokenizer")));
    if (!tokenizer)
        return fail(command + QStringLiteral(": ") + tokenizer.error());
    std::ios::sync_with_stdio(false);
    std::string line;
    long lineNumber = 0;
    while (std::getline(std::cin, line)) {
        ++lineNumber;
        if (line.empty())
            continue;
        const auto value = parseLine(line);
        if (encode) {
            if (!value || !value->isString())
                return fail(QStringLiteral("tokenize: stdin line %1: expected a JSON string").arg(lineNumber));
            QJsonArray ids;
            for (int64_t id : tokenizer->encode(value->toString().toStdString(), parser.isSet(QStringLiteral("add-special-tokens"))))
                ids.append(qint64(id));
            std::cout << QJsonDocument(ids).toJson(QJsonDocument::Compact).toStdString() << '\n';
        } else {
            if (!value || !value->isArray())
                return fail(QStringLiteral("detokenize: stdin line %1: expected a JSON array of ids").arg(lineNumber));
            std::vector<int64_t> ids;
            for (const QJsonValue& v : value->toArray()) {
                if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != double(qint64(v.toDouble())))
                    return fail(QStringLiteral("detokenize: stdin line %1: ids must be whole numbers >= 0").arg(lineNumber));
                ids.push_back(qint64(v.toDouble()));
            }
            const auto text = tokenizer->decode(ids, parser.isSet(QStringLiteral("skip-special-tokens")));
            if (!text)
                return fail(QStringLiteral("detokenize: stdin line %1: %2").arg(lineNumber).arg(text.error()));
            std::cout << jsonOf(QString::fromStdString(text.value())).toStdString() << '\n';
        }
    }
    std::cout.flush();
    return 0;
}

} // namespace

int runTokenize(const QStringList& arguments)
{
    return run(arguments, true);
}

int runDetokenize(const QStringList& arguments)
{
    return run(arguments, false);
}

} // namespace ckptlab::cli
