package io.eitrelay.core;

import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;

class RelayPairEpollJdkTest extends RelayPairSuite {
    @Override
    TransportChoice transport() {
        return TransportChoice.EPOLL;
    }

    @Override
    ProviderChoice provider() {
        return ProviderChoice.JDK;
    }
}
