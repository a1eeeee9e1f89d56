package routes.pipeline.commit;

import java.util.List;
import org.apache.camel.Exchange;

/**
 * Work that commits or rolls back with a batch's rows, for the messages of the batch: how a feature
 * outside the pipeline joins the commit's transaction without the pipeline knowing it (routes.status marks
 * its tracked messages completed). The batch aggregator asks it once per write; one bean at most.
 */
@FunctionalInterface
public interface CommitParticipant {

    /** Nothing joins the commit. */
    CommitParticipant NONE = exchanges -> null;

    /**
     * What to run in the transaction that commits the rows of these exchanges (a message's, or a
     * {@link CommitStage} unit's), or null for nothing. Runs on the aggregator's writer thread.
     */
    BatchWriter.TransactionHook inCommitOf(List<Exchange> exchanges);
}
