//go:build albatobench

// Command lister times the API client's list calls for the list benchmark:
// the client is internal to the provider's module, so this program is
// compiled there (see bench/README.md) and the benchmark runs it as a
// process. It prints one JSON object on stdout:
//
//	{"all":[seconds per ListAllSharings run],"sequential":seconds,"pages":n,"firstID":id}
//
// Each ListAllSharings must return -want sharings in id order, or it fails.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

type result struct {
	All        []float64 `json:"all"`
	Sequential float64   `json:"sequential,omitempty"`
	Pages      int       `json:"pages,omitempty"`
	FirstID    int64     `json:"firstID,omitempty"`
}

func main() {
	url := flag.String("url", "", "API base URL")
	token := flag.String("token", "", "API token")
	runs := flag.Int("runs", 1, "ListAllSharings runs")
	want := flag.Int("want", 0, "sharings each run must return")
	sequential := flag.Bool("sequential", false, "also read every page one after the other, once")
	flag.Parse()
	if err := run(context.Background(), *url, *token, *runs, *want, *sequential); err != nil {
		fmt.Fprintln(os.Stderr, "lister:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, token string, runs, want int, sequential bool) error {
	client, err := albato.New(albato.Config{BaseURL: url, Token: token, UserAgent: "albato-bench"})
	if err != nil {
		return err
	}
	var res result
	for range runs {
		start := time.Now()
		all, err := client.ListAllSharings(ctx)
		d := time.Since(start).Seconds()
		if err != nil {
			return err
		}
		if len(all) != want {
			return fmt.Errorf("listed %d sharings, want %d", len(all), want)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID <= all[i-1].ID {
				return fmt.Errorf("list not in id order at %d", i)
			}
		}
		res.All = append(res.All, d)
	}
	if sequential {
		start := time.Now()
		for page, total := 1, 1; page <= total; page++ {
			p, err := client.ListSharings(ctx, page)
			if err != nil {
				return err
			}
			if page == 1 && len(p.Sharings) > 0 {
				res.FirstID = p.Sharings[0].ID
			}
			total, res.Pages = p.TotalPages, res.Pages+1
		}
		res.Sequential = time.Since(start).Seconds()
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
