package io.eitrelay.core;

import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;

class RelayPairNioJdkTest extends RelayPairSuite {
    @Override
    TransportChoice transport() {
        return TransportChoice.NIO;
    }

    @Override
    ProviderChoice provider() {
        return ProviderChoice.JDK;
    }
}
