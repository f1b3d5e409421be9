%% etf_oracle: the real BEAM's answer for batches of external terms, for the differential
%% fuzzer and the per-release ETF suites (test/fuzz/oracle.ts drives it).
%%
%% {packet,4} frames on stdin/stdout, one reply per request, in order:
%%
%%   <<$B, N:32, (Len:32, Bytes:Len)*N>>  binary_to_term each input
%%     replies: one frame per input, as soon as it is decoded (so if an input kills the VM,
%%     the frames already sent say which one), then <<AtomCount:32>>. Each input's frame:
%%       <<1>>                                          refused (any exception)
%%       <<0, Used:32, DLen:32, D:DLen, XLen:32, X:XLen>> accepted; Used = bytes the term
%%         took (binary_to_term/2 `used`), D = term_to_binary(T, [{minor_version,2},
%%         deterministic]), X = term_to_binary(T, [{minor_version,2}])
%%   <<$C, N:32, (Len:32, Bytes:Len)*N>>  each input encodes a pair {A, B}
%%     reply <<N:32, (Order:8, Exact:8)*N>>: Order 0 (A < B), 1 (A == B), 2 (A > B);
%%     Exact 1 when A =:= B; <<255,255>> when the input does not decode to a pair
%%
%% The VM runs as a named node without a listen socket (net_kernel dist_listen => false),
%% so pids and refs naming nonode@nohost are foreign ids like any other, not local ones.
-module(etf_oracle).
-export([main/0]).

main() ->
    {ok, _} = net_kernel:start('etf_oracle@127.0.0.1', #{name_domain => longnames, dist_listen => false}),
    Port = open_port({fd, 0, 1}, [binary, {packet, 4}, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, <<$B, N:32, Items/binary>>}} ->
            each(N, Items, fun(Bytes) -> port_command(Port, decode(Bytes)) end),
            port_command(Port, <<(erlang:system_info(atom_count)):32>>),
            loop(Port);
        {Port, {data, <<$C, N:32, Items/binary>>}} ->
            Results = batch(N, Items, fun compare/1),
            port_command(Port, [<<N:32>> | Results]),
            loop(Port);
        {Port, eof} ->
            halt(0)
    end.

each(0, <<>>, _) -> ok;
each(N, <<Len:32, Bytes:Len/binary, Rest/binary>>, F) -> F(Bytes), each(N - 1, Rest, F).

batch(0, <<>>, _) -> [];
batch(N, <<Len:32, Bytes:Len/binary, Rest/binary>>, F) -> [F(Bytes) | batch(N - 1, Rest, F)].

decode(Bytes) ->
    try binary_to_term(Bytes, [used]) of
        {T, Used} ->
            D = term_to_binary(T, [{minor_version, 2}, deterministic]),
            X = term_to_binary(T, [{minor_version, 2}]),
            [<<0, Used:32, (byte_size(D)):32>>, D, <<(byte_size(X)):32>>, X]
    catch
        _:_ -> <<1>>
    end.

compare(Bytes) ->
    try binary_to_term(Bytes) of
        {A, B} ->
            Order = if A < B -> 0; A == B -> 1; true -> 2 end,
            Exact = case A =:= B of true -> 1; false -> 0 end,
            <<Order, Exact>>;
        _ ->
            <<255, 255>>
    catch
        _:_ -> <<255, 255>>
    end.
