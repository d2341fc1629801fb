// Command signedget calls the IAM-authorised HTTP API with a SigV4-signed
// GET, using the caller's usual AWS credentials (environment, shared config,
// SSO), and prints the answer.
//
//	go run ./cmd/signedget -url https://abc123.execute-api.us-east-1.amazonaws.com/industry
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "signedget: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("signedget", flag.ContinueOnError)
	rawURL := flags.String("url", "", "the IndustryApiUrl output of the stack")
	region := flags.String("region", "", "the API's region (default: from the URL, else the AWS config)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errors.New("-url: want the https URL of the API, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/industry")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	if *region == "" {
		*region = regionFromHost(u.Host, cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	emptyBody := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(emptyBody[:]), "execute-api", *region, time.Now()); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(stdout, "HTTP %d\n", resp.StatusCode)
	_, err = io.Copy(stdout, resp.Body)
	return err
}

// regionFromHost reads the region from an execute-api host name
// (<id>.execute-api.<region>.amazonaws.com), falling back to def.
func regionFromHost(host, def string) string {
	parts := strings.Split(host, ".")
	if len(parts) >= 4 && parts[1] == "execute-api" {
		return parts[2]
	}
	return def
}
