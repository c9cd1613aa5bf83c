package org.newsfacet.analysis;

import java.util.function.BiFunction;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopwordAnalyzerBase;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;

/**
 * One provider for every Lucene language analyzer taking (stopwords, stem exclusions), honouring
 * the same settings as analysis-common: {@code stopwords}, {@code stopwords_path},
 * {@code stem_exclusion}; defaults are Lucene's own stop sets.
 */
final class LanguageAnalyzerProvider extends AbstractIndexAnalyzerProvider<StopwordAnalyzerBase> {

    private final StopwordAnalyzerBase analyzer;

    LanguageAnalyzerProvider(
        String name,
        Environment env,
        Settings settings,
        CharArraySet defaultStopwords,
        BiFunction<CharArraySet, CharArraySet, StopwordAnalyzerBase> factory
    ) {
        super(name);
        CharArraySet stopwords = Analysis.parseStopWords(env, settings, defaultStopwords);
        CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
        this.analyzer = factory.apply(stopwords, stemExclusion);
    }

    @Override
    public StopwordAnalyzerBase get() {
        return analyzer;
    }
}
