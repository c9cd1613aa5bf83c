package org.newsfacet.analysis;

import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Registers the analysis-common names that the production mapping uses, so that the minimal
 * test distribution (which lacks analysis-common) can create that exact mapping; and those the
 * {@code .security} system index uses ({@code uax_url_email}, {@code pattern_capture},
 * {@code unique}), so that a secured test node can create that index and hence API keys.
 *
 * <p>A classic plugin rather than a stable one: the stable API's TokenFilterFactory is wrapped by
 * the server in a plain (non-normalizing) filter factory, which custom normalizers reject.
 */
public class LuceneAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "asciifolding", AsciiFoldingTokenFilterFactory::new,
            "pattern_capture", AnalysisPlugin.requiresAnalysisSettings(PatternCaptureTokenFilterFactory::new),
            "unique", UniqueTokenFilterFactory::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", UaxUrlEmailTokenizerFactory::new);
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of(
            "english", (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider(
                name, env, settings, EnglishAnalyzer.getDefaultStopSet(), EnglishAnalyzer::new),
            "french", (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider(
                name, env, settings, FrenchAnalyzer.getDefaultStopSet(), FrenchAnalyzer::new),
            "german", (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider(
                name, env, settings, GermanAnalyzer.getDefaultStopSet(), GermanAnalyzer::new),
            "spanish", (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider(
                name, env, settings, SpanishAnalyzer.getDefaultStopSet(), SpanishAnalyzer::new),
            "arabic", (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider(
                name, env, settings, ArabicAnalyzer.getDefaultStopSet(), ArabicAnalyzer::new));
    }
}
