%% bench_peer: the BEAM side of `npm run bench -- beam` (bench/beam.ts), driven through
%% dist_peer's expression evaluator.
%%
%% - rx/2: a registered receiver counting N messages, timed from the first to the last at the
%%   receiver (rx_result/2 fetches {N, Microseconds, FirstT, LastT});
%% - blast/3, nn/3: senders;
%% - calls/3: K sequential gen_server:call round trips, their p50 and p99 in microseconds.
-module(bench_peer).
-export([rx/2, rx_result/2, blast/3, nn/3, calls/3]).

rx(Name, N) ->
    Parent = self(),
    P = spawn(fun() ->
                      register(Name, self()),
                      Parent ! {rx_up, self()},
                      rx_first(N)
              end),
    receive {rx_up, P} -> P end.

rx_first(N) ->
    receive
        {'$rx_result', _} = Req -> self() ! Req, rx_first(N);
        _ ->
            T0 = erlang:monotonic_time(microsecond),
            Pending = rx_count(N - 1, []),
            T1 = erlang:monotonic_time(microsecond),
            rx_answer(Pending, {rx_result, N, T0, T1})
    end.

rx_count(0, Pending) -> Pending;
rx_count(N, Pending) ->
    receive
        {'$rx_result', From} -> rx_count(N, [From | Pending]);
        _ -> rx_count(N - 1, Pending)
    end.

rx_answer(Pending, Result) ->
    [F ! Result || F <- Pending],
    receive {'$rx_result', From} -> From ! Result, rx_answer([], Result) end.

rx_result(Name, Timeout) ->
    Name ! {'$rx_result', self()},
    receive {rx_result, N, T0, T1} -> {N, T1 - T0, T0, T1} after Timeout -> timeout end.

blast(_To, 0, _Msg) -> ok;
blast(To, N, Msg) -> To ! Msg, blast(To, N - 1, Msg).

%% One sender per target, each sending N; returns when all are done.
nn(Targets, N, Msg) ->
    Self = self(),
    Ps = [spawn(fun() -> blast(T, N, Msg), Self ! {nn_done, self()} end) || T <- Targets],
    [receive {nn_done, P} -> ok end || P <- Ps],
    ok.

%% K sequential calls (after K div 10 to warm up): {P50, P99} in microseconds.
calls(Server, K, Req) ->
    [gen_server:call(Server, Req) || _ <- lists:seq(1, max(1, K div 10))],
    Ts = [begin
              T0 = erlang:monotonic_time(nanosecond),
              _ = gen_server:call(Server, Req),
              erlang:monotonic_time(nanosecond) - T0
          end || _ <- lists:seq(1, K)],
    S = list_to_tuple(lists:sort(Ts)),
    P = fun(Q) -> element(max(1, (K * Q) div 100), S) / 1000 end,
    {P(50), P(99)}.
