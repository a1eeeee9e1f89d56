package routes.source.redis;

/**
 * Decides whether this instance runs the recoverer (and the delayed-retry mover) now. The scripts are
 * atomic, so every instance may run them at once; a leader election (issue 8) can plug in here to run
 * them on one instance only.
 */
@FunctionalInterface
public interface RecoveryGate {

    /** Every instance recovers; safe because each recovery step is one atomic Lua script. */
    RecoveryGate EVERY_INSTANCE = () -> true;

    boolean mayRecover();
}
