package org.newsfacet.analysis;

import java.io.IOException;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.FilteringTokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/**
 * The {@code unique} filter: drops a token whose term was already seen in the stream, or, with
 * {@code only_on_same_position: true}, only at the same position (Lucene's
 * RemoveDuplicatesTokenFilter). The {@code .security} index's {@code email} analyzer ends with it.
 */
final class UniqueTokenFilterFactory extends AbstractTokenFilterFactory {

    private final boolean onlyOnSamePosition;

    UniqueTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name);
        this.onlyOnSamePosition = settings.getAsBoolean("only_on_same_position", false);
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return onlyOnSamePosition ? new RemoveDuplicatesTokenFilter(tokenStream) : new SeenOnceFilter(tokenStream);
    }

    /** Keeps the first occurrence of each term; FilteringTokenFilter carries the dropped positions over. */
    private static final class SeenOnceFilter extends FilteringTokenFilter {

        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        SeenOnceFilter(TokenStream input) {
            super(input);
        }

        @Override
        protected boolean accept() {
            if (seen.contains(term.buffer(), 0, term.length())) {
                return false;
            }
            seen.add(term.toString()); // a copy: the attribute's buffer is reused for the next token
            return true;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }
}
