package org.newsfacet.analysis;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/**
 * The {@code pattern_capture} filter: one token per capture group of each pattern, plus the
 * original unless {@code preserve_original} is false (default true, as in analysis-common).
 * Needed because the {@code .security} system index defines its {@code email} filter with it:
 * without it that index, and so every API key, cannot be created on the test node.
 */
final class PatternCaptureTokenFilterFactory extends AbstractTokenFilterFactory {

    private final Pattern[] patterns;
    private final boolean preserveOriginal;

    PatternCaptureTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name);
        List<String> regexes = settings.getAsList("patterns");
        if (regexes.isEmpty()) {
            throw new IllegalArgumentException("[patterns] is required for the pattern_capture filter [" + name + "]");
        }
        this.patterns = new Pattern[regexes.size()];
        for (int i = 0; i < patterns.length; i++) {
            try {
                patterns[i] = Pattern.compile(regexes.get(i));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid pattern in filter [" + name + "]: " + e.getMessage(), e);
            }
        }
        this.preserveOriginal = settings.getAsBoolean("preserve_original", true);
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // Compiled Patterns are immutable and shareable; the filter makes its own Matchers.
        return new PatternCaptureGroupTokenFilter(tokenStream, preserveOriginal, patterns);
    }
}
