import Testing

/// Every test that runs a gateway process and sipp. Serialized (the trait applies to the nested
/// suites too): on a 2-core machine, parallel calls would make RTP timing the test's subject.
@Suite(.serialized) enum Integration {}
