package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func testAgreements(t *testing.T, s accord.Store) {
	ctx := context.Background()
	v1 := &accord.AgreementVersion{ID: "survey-share", Version: 1, Source: []byte("id: survey-share\n"), Digest: "d1", CreatedBy: "m1", CreatedAt: now}
	must(t, s.CreateAgreementVersion(ctx, v1))
	wantCode(t, s.CreateAgreementVersion(ctx, v1), accord.ECONFLICT)
	must(t, s.CreateAgreementVersion(ctx, &accord.AgreementVersion{ID: "survey-share", Version: 2, Source: []byte("v2"), Digest: "d2", CreatedBy: "m1", CreatedAt: now}))
	must(t, s.CreateAgreementVersion(ctx, &accord.AgreementVersion{ID: "other", Version: 1, Source: []byte("o"), Digest: "d3", CreatedBy: "m2", CreatedAt: now}))
	got, err := s.AgreementVersion(ctx, "survey-share", 1)
	must(t, err)
	if string(got.Source) != "id: survey-share\n" || got.Digest != "d1" || !got.CreatedAt.Equal(now) {
		t.Fatalf("version = %+v", got)
	}
	_, err = s.AgreementVersion(ctx, "survey-share", 9)
	wantCode(t, err, accord.ENOTFOUND)
	all, err := s.AgreementVersions(ctx, "")
	must(t, err)
	one, err := s.AgreementVersions(ctx, "survey-share")
	must(t, err)
	if len(all) != 3 || len(one) != 2 || one[1].Version != 2 {
		t.Fatalf("versions all=%d one=%+v", len(all), one)
	}
	ev := func(data string) *accord.AgreementEvent {
		return &accord.AgreementEvent{AgreementID: "survey-share", Version: 1, Data: []byte(data), At: now.Add(time.Minute)}
	}
	must(t, s.AppendAgreementEvent(ctx, ev(`{"kind":"propose"}`), 0))
	wantCode(t, s.AppendAgreementEvent(ctx, ev(`{"kind":"stale"}`), 0), accord.ECONFLICT)
	must(t, s.AppendAgreementEvent(ctx, ev(`{"kind":"sign"}`), 1))
	wantCode(t, s.AppendAgreementEvent(ctx, &accord.AgreementEvent{AgreementID: "ghost", Version: 1, Data: []byte("{}")}, 0), accord.ENOTFOUND)
	// Concurrent steps on the same state: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.AppendAgreementEvent(ctx, ev(`{"kind":"sign"}`), 2) == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent appends on one state succeeded, want 1", wins)
	}
	evs, err := s.AgreementEvents(ctx, "survey-share")
	must(t, err)
	if len(evs) != 3 || string(evs[0].Data) != `{"kind":"propose"}` || evs[2].Seq != 2 {
		t.Fatalf("events = %+v", evs)
	}
}
