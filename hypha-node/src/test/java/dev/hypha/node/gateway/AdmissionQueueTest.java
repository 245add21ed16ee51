package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdmissionQueueTest {

    @Test
    void refusesBeyondItsCapacityAndFreesEachPlaceOnce() {
        AdmissionQueue q = new AdmissionQueue(2);
        AdmissionQueue.Ticket a = q.enter();
        AdmissionQueue.Ticket b = q.enter();
        assertThatThrownBy(q::enter).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.kind()).isEqualTo(GatewayException.Kind.OVERLOADED));
        a.close();
        a.close(); // a second close must not free b's place
        assertThat(q.occupied()).isEqualTo(1);
        AdmissionQueue.Ticket c = q.enter();
        assertThatThrownBy(q::enter).isInstanceOf(GatewayException.class);
        b.close();
        c.close();
        assertThat(q.occupied()).isZero();
    }
}
