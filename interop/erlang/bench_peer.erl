%% bench_peer: the BEAM side of `npm run bench -- beam` (bench/beam.ts), driven through
%% dist_peer's expression evaluator.
%%
%% - rx/2: a registered receiver counting N messages, timed from the first to the last at the
%%   receiver (rx_result/2 fetches {N, Microseconds, FirstT, LastT});
%% - blast/3, nn/3: senders;
%% - calls/3: K sequential gen_server:call round trips, each one's time in nanoseconds.
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

%% K sequential calls: each one's round trip in nanoseconds (the caller warms up first).
calls(Server, K, Req) ->
    [begin
         T0 = erlang:monotonic_time(nanosecond),
         _ = gen_server:call(Server, Req),
         erlang:monotonic_time(nanosecond) - T0
     end || _ <- lists:seq(1, K)].
